/**
 * The simulator's engine: every few milliseconds it asks the pacer how many events may go out,
 * takes them from the event source and hands them to Kafka in batches, never with more than
 * `maxInFlight` events unacknowledged. A slow or absent Kafka therefore slows production down
 * (and is reported) instead of filling memory. Operators change the rate, pause and resume at
 * runtime; a rate above the safety cap is refused, logged and counted, never applied.
 */
import { StateTracker } from '../platform/component-server.ts'
import { errorMessage, isSretlError } from '../platform/errors.ts'
import type { BytesMessage } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'
import { RateMeter } from '../platform/rate-meter.ts'
import type { EventSource, MessageType, OutgoingMessage } from './event-source.ts'
import type { SimulatorMetrics, SimulatorReadings } from './metrics.ts'
import { Pacer, peakRate, type RateShape } from './pacer.ts'
import type { Timeline } from './timeline.ts'

export interface SimulatorSettings {
  readonly ratePerSec: number
  readonly capPerSec: number
  readonly shape: RateShape
  /** Total messages to produce, then stop; undefined = no limit. */
  readonly budget: number | undefined
  readonly maxInFlight: number
  readonly maxBatch: number
  readonly tickMs: number
  /** An unacknowledged batch older than this is reported as a Kafka stall. */
  readonly stallAfterMs: number
  readonly seed: string
}

export interface SimulatorDeps {
  readonly source: EventSource
  readonly timeline: Timeline
  readonly topic: string
  /** Hands messages to Kafka; resolves once Kafka acknowledged all of them. */
  readonly send: (messages: BytesMessage[]) => Promise<unknown>
  readonly settings: SimulatorSettings
  readonly clock: () => number
  readonly logger: Logger
  readonly metrics: SimulatorMetrics
  /** Called once when a budget or a simulated history is complete. */
  readonly onFinished?: (reason: FinishReason) => void
}

const ERROR_BACKOFF_MS = 1000

export type FinishReason = 'BUDGET_EXHAUSTED' | 'HISTORY_COMPLETE'

export type RateChange =
  | { readonly ok: true }
  | {
      readonly ok: false
      readonly code: 'RATE_ABOVE_CAP' | 'RATE_INVALID'
      readonly message: string
      readonly capPerSec: number
    }

export type SimulatorDetails = {
  readonly targetRatePerSec: number
  readonly baseRatePerSec: number
  readonly actualRatePerSec: number
  readonly capPerSec: number
  readonly paused: boolean
  readonly pauseReason: string | null
  readonly shape: RateShape
  readonly budget: number | null
  readonly budgetRemaining: number | null
  readonly eventsProduced: number
  /**
   * Events whose send failed: not acknowledged, so not counted as produced. Kafka may still hold
   * some of them (written before a connection broke, the answer lost): unknown, never lost.
   */
  readonly eventsUnacknowledged: number
  readonly eventsByType: Readonly<Record<MessageType, number>>
  readonly inFlight: number
  readonly kafkaStalled: boolean
  readonly finished: FinishReason | null
  readonly clock: 'live' | 'simulated'
  readonly simulatedTime: string | null
  readonly historyProgress: number | null
  readonly seed: string
}

export class Simulator {
  readonly tracker: StateTracker
  readonly #deps: SimulatorDeps
  readonly #settings: SimulatorSettings
  readonly #pacer: Pacer
  readonly #meter: RateMeter
  readonly #metrics: SimulatorMetrics
  readonly #log: Logger
  readonly #pending = new Map<number, number>()
  readonly #byType: Record<MessageType, number> = { SALE: 0, RETURN: 0, VOID: 0, MALFORMED: 0 }
  #nextBatchId = 0
  #inFlight = 0
  #dispatched = 0
  #produced = 0
  #unacknowledged = 0
  #paused = false
  #pauseReason: string | null = null
  #finished: FinishReason | null = null
  #stalled = false
  #started = false
  #stopped = false
  /** After a failed send, production waits until then instead of failing in a tight loop. */
  #holdUntil = 0
  #timer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined
  #idle: (() => void) | undefined

  constructor(deps: SimulatorDeps) {
    this.#deps = deps
    this.#settings = deps.settings
    this.#log = deps.logger
    this.tracker = new StateTracker(() => new Date(deps.clock()))
    this.#pacer = new Pacer({
      clock: deps.clock,
      ratePerSec: deps.settings.ratePerSec,
      shape: deps.settings.shape,
    })
    this.#meter = new RateMeter({ clock: deps.clock })
    this.#metrics = deps.metrics
  }

  /** Live figures for the metrics' gauges. */
  get readings(): SimulatorReadings {
    return {
      targetRate: () => (this.#paused || this.#finished ? 0 : this.#pacer.currentRate()),
      actualRate: () => this.#meter.perSecond(),
      paused: () => this.#paused,
      inFlight: () => this.#inFlight,
      capPerSec: () => this.#settings.capPerSec,
    }
  }

  start(): void {
    this.#started = true
    this.tracker.set('RUNNING')
    this.#pacer.reset()
    this.#log.info(
      {
        ratePerSec: this.#pacer.baseRate,
        capPerSec: this.#settings.capPerSec,
        shape: this.#settings.shape.kind,
        clock: this.#deps.timeline.mode,
        seed: this.#settings.seed,
      },
      'simulator producing',
    )
    this.#schedule(0)
  }

  /** Stops producing and waits (up to `timeoutMs`) for the batches in flight to be acknowledged. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#stopped = true
    this.tracker.set('STOPPING')
    this.#clearTimer()
    if (this.#inFlight === 0) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.#idle = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  setRate(ratePerSec: number): RateChange {
    const cap = this.#settings.capPerSec
    if (!Number.isFinite(ratePerSec) || ratePerSec < 0) {
      this.#metrics.rateRefused.inc({ reason: 'invalid' })
      return { ok: false, code: 'RATE_INVALID', message: 'ratePerSec must be a number ≥ 0', capPerSec: cap }
    }
    const peak = peakRate(ratePerSec, this.#settings.shape)
    if (peak > cap) {
      this.#metrics.rateRefused.inc({ reason: 'above_cap' })
      const shaped = peak === ratePerSec ? '' : ` (the ${this.#settings.shape.kind} shape peaks at ${peak}/s)`
      const message = `${ratePerSec} events/s${shaped} is above the safety cap of ${cap} events/s; the rate stays ${this.#pacer.baseRate} events/s`
      this.#log.warn({ requested: ratePerSec, peak, capPerSec: cap }, 'rate change refused: above the cap')
      return { ok: false, code: 'RATE_ABOVE_CAP', message, capPerSec: cap }
    }
    const previous = this.#pacer.baseRate
    this.#pacer.setRate(ratePerSec)
    this.#log.info({ from: previous, to: ratePerSec }, 'rate changed')
    this.#schedule(0)
    return { ok: true }
  }

  pause(reason: string): void {
    if (this.#paused) return
    this.#paused = true
    this.#pauseReason = reason
    this.tracker.set('PAUSED')
    this.#log.info({ reason }, 'simulator paused')
  }

  resume(reason: string): void {
    if (!this.#paused) return
    this.#paused = false
    this.#pauseReason = null
    this.#pacer.reset()
    this.tracker.set('RUNNING')
    this.#log.info({ reason }, 'simulator resumed')
    this.#schedule(0)
  }

  details(): SimulatorDetails {
    const budget = this.#settings.budget
    const timeline = this.#deps.timeline
    return {
      targetRatePerSec: round(this.readings.targetRate()),
      baseRatePerSec: this.#pacer.baseRate,
      actualRatePerSec: round(this.#meter.perSecond()),
      capPerSec: this.#settings.capPerSec,
      paused: this.#paused,
      pauseReason: this.#pauseReason,
      shape: this.#settings.shape,
      budget: budget ?? null,
      budgetRemaining: budget === undefined ? null : Math.max(0, budget - this.#produced),
      eventsProduced: this.#produced,
      eventsUnacknowledged: this.#unacknowledged,
      eventsByType: { ...this.#byType },
      inFlight: this.#inFlight,
      kafkaStalled: this.#stalled,
      finished: this.#finished,
      clock: timeline.mode,
      simulatedTime: timeline.mode === 'simulated' ? new Date(timeline.position).toISOString() : null,
      historyProgress: timeline.mode === 'simulated' ? round(timeline.progress, 4) : null,
      seed: this.#settings.seed,
    }
  }

  #tick(): void {
    this.#timer = undefined
    if (this.#stopped) return
    this.#checkStall()
    if (this.#paused || this.#finished) return
    const now = this.#deps.clock()
    if (now < this.#holdUntil) return this.#schedule(this.#holdUntil - now)
    const { maxInFlight, maxBatch, budget } = this.#settings
    let allowed = Math.min(this.#pacer.available(), maxInFlight - this.#inFlight)
    if (budget !== undefined) allowed = Math.min(allowed, budget - this.#dispatched)
    // a tick sends at most a few batches, so timers, acks and HTTP requests keep their turn
    let batches = 0
    while (allowed > 0 && batches < 4) {
      const messages = this.#deps.source.take(Math.min(allowed, maxBatch))
      if (messages.length === 0) break
      this.#pacer.take(messages.length)
      allowed -= messages.length
      batches += 1
      this.#dispatch(messages)
    }
    if (budget !== undefined && this.#dispatched >= budget) return this.#finishWhenDrained('BUDGET_EXHAUSTED')
    if (this.#deps.source.exhausted) return this.#finishWhenDrained('HISTORY_COMPLETE')
    const more = allowed > 0 || (this.#pacer.available() > 0 && this.#inFlight < maxInFlight)
    this.#schedule(more ? 0 : Math.min(this.#settings.tickMs, Math.max(1, this.#pacer.msUntilNext())))
  }

  #dispatch(messages: OutgoingMessage[]): void {
    const id = this.#nextBatchId++
    const startedAt = this.#deps.clock()
    const count = messages.length
    this.#pending.set(id, startedAt)
    this.#inFlight += count
    this.#dispatched += count
    const topic = this.#deps.topic
    const records: BytesMessage[] = messages.map((m) => ({ topic, key: m.key, value: m.value }))
    this.#deps.send(records).then(
      () => {
        this.#settle(id, count)
        this.#produced += count
        this.#meter.record(count)
        this.#metrics.produceSeconds.observe((this.#deps.clock() - startedAt) / 1000)
        const counts: Partial<Record<MessageType, number>> = {}
        for (const m of messages) counts[m.type] = (counts[m.type] ?? 0) + 1
        for (const [type, n] of Object.entries(counts) as [MessageType, number][]) {
          this.#byType[type] += n
          this.#metrics.events.inc({ type }, n)
        }
        if (this.#stalled) this.#recovered()
      },
      (err: unknown) => {
        this.#settle(id, count)
        // not acknowledged: the events are not counted as produced, though Kafka may have written
        // some of them before the connection broke (their outcome is unknown, not lost)
        this.#unacknowledged += count
        const code = isSretlError(err) ? err.code : 'KAFKA_UNAVAILABLE'
        this.#metrics.errors.inc({ code })
        this.tracker.recordError(code, errorMessage(err))
        this.#log.error({ err, code, events: count }, 'batch not acknowledged; not counted as produced')
        this.#dispatched -= count
        this.#holdUntil = this.#deps.clock() + ERROR_BACKOFF_MS
      },
    )
  }

  #settle(id: number, count: number): void {
    this.#pending.delete(id)
    this.#inFlight -= count
    if (this.#inFlight === 0) this.#idle?.()
    if (!this.#timer && !this.#stopped) this.#schedule(0)
  }

  #checkStall(): void {
    if (this.#stalled || this.#pending.size === 0) return
    const oldest = this.#pending.values().next().value ?? this.#deps.clock()
    const waited = this.#deps.clock() - oldest
    if (waited < this.#settings.stallAfterMs) return
    this.#stalled = true
    const message = `Kafka has not acknowledged a batch for ${Math.round(waited / 1000)} s; production is held at ${this.#inFlight} events in flight until it answers`
    this.#metrics.errors.inc({ code: 'KAFKA_SEND_TIMEOUT' })
    this.tracker.recordError('KAFKA_SEND_TIMEOUT', message)
    this.#log.warn({ inFlight: this.#inFlight, waitedMs: waited }, 'kafka stalled; production held')
  }

  #recovered(): void {
    this.#stalled = false
    this.#pacer.reset()
    this.#log.info({}, 'kafka acknowledges again; production continues')
  }

  #finishWhenDrained(reason: FinishReason): void {
    if (this.#finished) return
    this.#finished = reason
    this.#log.info({ reason, eventsDispatched: this.#dispatched }, 'simulator finished')
    const done = (): void => this.#deps.onFinished?.(reason)
    if (this.#inFlight === 0) {
      done()
      return
    }
    const previous = this.#idle
    this.#idle = () => {
      previous?.()
      done()
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || !this.#started) return
    this.#clearTimer()
    this.#timer =
      delayMs <= 0
        ? { immediate: setImmediate(() => this.#tick()) }
        : { timeout: setTimeout(() => this.#tick(), delayMs) }
  }

  #clearTimer(): void {
    const timer = this.#timer
    if (timer === undefined) return
    if ('timeout' in timer) clearTimeout(timer.timeout)
    else clearImmediate(timer.immediate)
    this.#timer = undefined
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}
