/**
 * The one way components hand events to the idempotent producer: one produce call in flight at a
 * time, and the sends that arrive meanwhile merged into the next one (ADR 0053).
 *
 * Why one at a time: @platformatic/kafka keeps one sequence counter per partition for its
 * producer id and resets it when a send fails. A send that had already taken the old producer id
 * when another one failed then numbers its batch from the reset counter; if that range matches a
 * batch the broker still remembers for the old id, the broker answers "duplicate" and
 * acknowledges events it never wrote. Seen as acknowledged events missing from the topic after
 * a broker restart under load. With one call in flight no send can straddle a reset, and merging
 * keeps throughput: concurrent small sends share a batch, as the linger of Kafka's own clients does.
 */
import { SretlError } from './errors.ts'
import { createProducer, type BytesMessage, type ConnectionSettings } from './kafka.ts'
import type { Logger } from './logger.ts'

interface Group {
  readonly messages: BytesMessage[]
  readonly waiters: { resolve: () => void; reject: (err: unknown) => void }[]
}

export interface KafkaSenderSettings {
  /** Most messages in one produce call; a caller's larger send goes alone. */
  readonly maxBatchMessages: number
  /** Most messages waiting or in flight; beyond it a send is refused at once (never queued). */
  readonly maxQueuedMessages: number
  /**
   * A produce call unsettled this long is abandoned: its senders get KAFKA_SEND_TIMEOUT and
   * `onStuck` replaces the producer, so the sends behind it are not held up for as long as the
   * client keeps retrying a dead leader. Unset: wait as long as the call takes.
   */
  readonly stuckAfterMs?: number
  /** Called when a call is abandoned: swap the producer `send` goes to (a new producer id). */
  readonly onStuck?: () => void
}

export class KafkaSender {
  readonly #send: (messages: BytesMessage[]) => Promise<unknown>
  readonly #settings: KafkaSenderSettings
  readonly #queue: Group[] = []
  #queued = 0
  #busy = false
  #stuck = 0

  constructor(send: (messages: BytesMessage[]) => Promise<unknown>, settings: KafkaSenderSettings) {
    this.#send = send
    this.#settings = settings
  }

  /** Messages handed over and not yet acknowledged or failed. */
  get queued(): number {
    return this.#queued
  }

  /** Produce calls abandoned as stuck (each one replaced the producer). */
  get stuckCalls(): number {
    return this.#stuck
  }

  /** Resolves when Kafka acknowledged the produce call these messages went out in. */
  send(messages: readonly BytesMessage[]): Promise<void> {
    if (this.#queued + messages.length > this.#settings.maxQueuedMessages) {
      return Promise.reject(
        new SretlError(
          'KAFKA_UNAVAILABLE',
          `${this.#queued} messages are waiting for Kafka already (the limit is ${this.#settings.maxQueuedMessages})`,
        ),
      )
    }
    return new Promise((resolve, reject) => {
      const last = this.#queue.at(-1)
      const fits = last && last.messages.length + messages.length <= this.#settings.maxBatchMessages
      const group = fits ? last : { messages: [], waiters: [] }
      if (!fits) this.#queue.push(group)
      group.messages.push(...messages)
      group.waiters.push({ resolve, reject })
      this.#queued += messages.length
      this.#pump()
    })
  }

  #pump(): void {
    if (this.#busy || this.#queue.length === 0) return
    this.#busy = true
    // wait for the rest of this turn: the sends of requests handled in it join the group
    setImmediate(() => this.#flush())
  }

  #flush(): void {
    const group = this.#queue.shift()
    if (!group) {
      this.#busy = false
      return
    }
    let settled = false
    const settle = (outcome: { ok: true } | { ok: false; err: unknown }): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      this.#queued -= group.messages.length
      this.#busy = false
      this.#pump()
      for (const w of group.waiters) {
        if (outcome.ok) w.resolve()
        else w.reject(outcome.err)
      }
    }
    const { stuckAfterMs } = this.#settings
    const timer =
      stuckAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            if (settled) return
            this.#stuck++
            // the abandoned call may still be written: an unacknowledged send promises nothing,
            // and a re-send is deduplicated by event_id downstream
            this.#settings.onStuck?.()
            settle({
              ok: false,
              err: new SretlError(
                'KAFKA_SEND_TIMEOUT',
                `Kafka did not settle a produce call within ${stuckAfterMs} ms; the producer was replaced`,
              ),
            })
          }, stuckAfterMs)
    this.#send(group.messages).then(
      () => settle({ ok: true }),
      (err: unknown) => settle({ ok: false, err }),
    )
  }
}

/**
 * A sender on its own idempotent producer, which it replaces when a produce call is stuck (a call
 * to a killed leader can stay unsettled for minutes): the gateway's and the simulator's way to
 * Kafka. `close` closes the producer in use.
 */
export function senderWithProducer(
  kafka: ConnectionSettings,
  clientSuffix: string,
  settings: Omit<KafkaSenderSettings, 'onStuck'>,
  logger: Logger,
): { readonly sender: KafkaSender; readonly close: () => Promise<void> } {
  let producer = createProducer(kafka, clientSuffix)
  const sender = new KafkaSender((messages) => producer.send({ messages }), {
    ...settings,
    onStuck: () => {
      logger.warn(
        { stuckAfterMs: settings.stuckAfterMs },
        'a produce call did not settle in time; replacing the producer',
      )
      const old = producer
      producer = createProducer(kafka, clientSuffix)
      old.close(true).catch(() => undefined)
    },
  })
  return { sender, close: () => producer.close(true) }
}
