/**
 * The lander's state as /status reports it, derived from three facts in one place:
 *
 *   ready    — the group was joined and the stored offsets applied (lost when the stream ends)
 *   failing  — the batch in hand does not land; set by a failed attempt, cleared when it lands
 *   stopping — stop() was called; final, nothing else changes the state afterwards
 *
 * While failing, the state stays FAILED (an operator pause or a rejoin does not hide it); once
 * the batch lands, it settles to PAUSED (operator pause), RUNNING (ready) or STARTING.
 */
import type { LastError, StateTracker } from '../platform/component-server.ts'

export interface Failing {
  readonly error: LastError
  /** The partitions of the batch that does not land. */
  readonly partitions: ReadonlySet<number>
}

export class LanderState {
  readonly #tracker: StateTracker
  readonly #clock: () => number
  readonly #operatorPaused: () => boolean
  #ready = false
  #stopping = false
  #failing: Failing | undefined

  constructor(tracker: StateTracker, clock: () => number, operatorPaused: () => boolean) {
    this.#tracker = tracker
    this.#clock = clock
    this.#operatorPaused = operatorPaused
  }

  get ready(): boolean {
    return this.#ready
  }

  get stopping(): boolean {
    return this.#stopping
  }

  get failing(): Failing | undefined {
    return this.#failing
  }

  /** The stored offsets were applied after a group join. */
  joined(): void {
    this.#ready = true
    if (!this.#failing) this.#settle()
  }

  /** The stream ended or failed; the state shown is left as it is until the next join. */
  streamLost(): void {
    this.#ready = false
  }

  /** The operator paused or resumed fetching. */
  operatorChanged(): void {
    if (!this.#failing) this.#settle()
  }

  landingFailed(code: string, message: string, partitions: ReadonlySet<number>): void {
    this.#failing = { error: { code, message, at: new Date(this.#clock()).toISOString() }, partitions }
    if (!this.#stopping) this.#tracker.fail(code, message)
  }

  /** The batch that was failing landed. */
  landingRecovered(): void {
    this.#failing = undefined
    this.#settle()
  }

  /** A retryable problem outside a landing: recorded as the last error, the state is kept. */
  recordError(code: string, message: string): void {
    this.#tracker.recordError(code, message)
  }

  /** A loop died on a bug. */
  crashed(message: string): void {
    this.#tracker.fail('INTERNAL', message)
  }

  /** Returns false when stop() was called before. */
  beginStopping(): boolean {
    if (this.#stopping) return false
    this.#stopping = true
    this.#tracker.set('STOPPING')
    return true
  }

  snapshot(): ReturnType<StateTracker['snapshot']> {
    return this.#tracker.snapshot()
  }

  #settle(): void {
    if (this.#stopping) return
    this.#tracker.set(this.#operatorPaused() ? 'PAUSED' : this.#ready ? 'RUNNING' : 'STARTING')
  }
}
