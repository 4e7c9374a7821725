/**
 * The gateway's way into Kafka, built around one promise: a 2xx answer means every accepted
 * event is in Kafka (acknowledged by all in-sync replicas). Around it, bounds and fast refusals:
 *
 * - events waiting for an acknowledgement are counted, and a request that would exceed
 *   `maxInFlight` is refused (503) instead of queued;
 * - a request not acknowledged within its timeout is answered 503, and for `retryAfterMs`
 *   afterwards new events are refused at once rather than piled onto a Kafka that is down;
 * - the Kafka client keeps retrying a timed-out send, and its events stay counted until it
 *   settles, so a long outage holds memory to the bound instead of growing it;
 * - a retry of an event still on its way joins that send instead of writing it again, and a
 *   retry of an event Kafka already acknowledged (remembered in a bounded FIFO) is answered
 *   from memory. Within one gateway, a client's retries therefore never put an event in the
 *   topic twice; across gateways, sales_raw's primary key on event_id still lands it once.
 *
 * See docs/decisions/0007-gateway-acknowledgement-and-backpressure.md.
 */
import { errorMessage } from '../platform/errors.ts'
import type { BytesMessage } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'

export interface IngestEvent {
  readonly eventId: string
  readonly key: Buffer
  readonly value: Buffer
}

export type IngestOutcome =
  | { readonly ok: true; readonly written: number; readonly duplicates: number }
  | {
      readonly ok: false
      readonly code: 'GATEWAY_OVERLOADED' | 'KAFKA_UNAVAILABLE' | 'KAFKA_SEND_TIMEOUT'
      readonly message: string
    }

export interface IngestOptions {
  readonly topic: string
  /** Hands messages to Kafka; resolves when Kafka acknowledged them all. */
  readonly send: (messages: BytesMessage[]) => Promise<unknown>
  readonly maxInFlight: number
  readonly dedupeCacheSize: number
  /** After a timeout or failure, new events are refused this long. */
  readonly retryAfterMs: number
  readonly clock: () => number
  readonly logger: Logger
  readonly onProduced?: (seconds: number, events: number) => void
}

export class Ingest {
  readonly #options: IngestOptions
  /** event_id → the send that carries it, while unacknowledged. */
  readonly #pending = new Map<string, Promise<void>>()
  /** event_ids Kafka acknowledged: a set, and a ring that says which to forget next. */
  readonly #acknowledged = new Set<string>()
  readonly #ring: (string | undefined)[]
  #ringNext = 0
  #inFlight = 0
  #refuseUntil = 0
  #lastFailure: string | undefined

  constructor(options: IngestOptions) {
    this.#options = options
    this.#ring = new Array<string | undefined>(options.dedupeCacheSize)
  }

  get inFlightEvents(): number {
    return this.#inFlight
  }

  /** False while new events are refused after a Kafka timeout or failure. */
  get kafkaAvailable(): boolean {
    return this.#options.clock() >= this.#refuseUntil
  }

  get lastFailure(): string | undefined {
    return this.#lastFailure
  }

  /** Writes the events (or finds them written); resolves when all are acknowledged or it gave up. */
  async submit(events: readonly IngestEvent[], timeoutMs: number): Promise<IngestOutcome> {
    const waits: Promise<void>[] = []
    const fresh: IngestEvent[] = []
    const freshIds = new Set<string>()
    let duplicates = 0
    for (const event of events) {
      const id = event.eventId
      if (this.#acknowledged.has(id)) {
        duplicates += 1
        continue
      }
      const pending = this.#pending.get(id)
      if (pending) {
        duplicates += 1
        waits.push(pending)
        continue
      }
      if (freshIds.has(id)) {
        duplicates += 1
        continue
      }
      freshIds.add(id)
      fresh.push(event)
    }
    if (fresh.length > 0) {
      const refused = this.#refusal(fresh.length)
      if (refused) return refused
      waits.push(this.#write(fresh))
    }
    if (waits.length === 0) return { ok: true, written: 0, duplicates }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    try {
      const outcome = await Promise.race([Promise.all(waits).then(() => 'acknowledged' as const), timeout])
      if (outcome === 'acknowledged') return { ok: true, written: fresh.length, duplicates }
      this.#failed(`Kafka did not acknowledge within ${timeoutMs} ms`)
      return {
        ok: false,
        code: 'KAFKA_SEND_TIMEOUT',
        message: `Kafka did not acknowledge the events within ${timeoutMs} ms; they may still be written — retry with the same event_ids, which is safe`,
      }
    } catch (err) {
      return {
        ok: false,
        code: 'KAFKA_UNAVAILABLE',
        message: `Kafka refused the events: ${errorMessage(err)}; retry with the same event_ids`,
      }
    } finally {
      clearTimeout(timer)
    }
  }

  #refusal(count: number): IngestOutcome | undefined {
    if (!this.kafkaAvailable) {
      return {
        ok: false,
        code: 'KAFKA_UNAVAILABLE',
        message: `Kafka is not acknowledging writes (${this.#lastFailure ?? 'unavailable'}); nothing was written`,
      }
    }
    if (this.#inFlight + count > this.#options.maxInFlight) {
      return {
        ok: false,
        code: 'GATEWAY_OVERLOADED',
        message: `${this.#inFlight} events are waiting for Kafka already (the limit is ${this.#options.maxInFlight}); nothing was written`,
      }
    }
    return undefined
  }

  #write(events: IngestEvent[]): Promise<void> {
    const { topic, clock } = this.#options
    const startedAt = clock()
    const count = events.length
    this.#inFlight += count
    const messages: BytesMessage[] = events.map((e) => ({ topic, key: e.key, value: e.value }))
    const send = this.#options.send(messages).then(
      () => {
        this.#settle(events)
        for (const e of events) this.#remember(e.eventId)
        this.#options.onProduced?.((clock() - startedAt) / 1000, count)
      },
      (err: unknown) => {
        this.#settle(events)
        this.#failed(errorMessage(err))
        this.#options.logger.error({ err, events: count }, 'kafka refused a batch')
        throw err
      },
    )
    for (const e of events) this.#pending.set(e.eventId, send)
    // a send nobody waits for any more (its request timed out) must not become an unhandled rejection
    send.catch(() => undefined)
    return send
  }

  #settle(events: readonly IngestEvent[]): void {
    this.#inFlight -= events.length
    for (const e of events) this.#pending.delete(e.eventId)
  }

  // a ring instead of evicting a Map's first key: after many deletions V8 walks the holes at
  // the front of an insertion-ordered map on every keys().next(), which turns quadratic
  #remember(eventId: string): void {
    const size = this.#ring.length
    if (size === 0 || this.#acknowledged.has(eventId)) return
    const evicted = this.#ring[this.#ringNext]
    if (evicted !== undefined) this.#acknowledged.delete(evicted)
    this.#ring[this.#ringNext] = eventId
    this.#ringNext = (this.#ringNext + 1) % size
    this.#acknowledged.add(eventId)
  }

  #failed(reason: string): void {
    this.#lastFailure = reason
    this.#refuseUntil = this.#options.clock() + this.#options.retryAfterMs
  }
}
