/**
 * Smooth pacing: a token bucket refilled continuously at the target rate (which may follow a
 * shape over time) and asked every few milliseconds how many events may go out. Tokens are
 * fractional, so 1,000/s at a 5 ms tick is 5 events per tick, not 1,000 at the top of each
 * second; the bucket holds at most `maxBurstMs` worth of tokens, so after a stall (a slow Kafka,
 * a GC pause) the catch-up is short instead of a flood. See docs/decisions/0006.
 */

export type RateShape =
  | { readonly kind: 'constant' }
  /** base × (1 + amplitude × sin(2πt / period)) */
  | { readonly kind: 'sine'; readonly periodMs: number; readonly amplitude: number }
  /** base for the first half of each period, base × factor for the second half */
  | { readonly kind: 'step'; readonly periodMs: number; readonly factor: number }

export const RATE_SHAPES = ['constant', 'sine', 'step'] as const

/** The rate a shape asks for `elapsedMs` after the shape started. */
export function shapedRate(base: number, shape: RateShape, elapsedMs: number): number {
  switch (shape.kind) {
    case 'constant':
      return base
    case 'sine':
      return Math.max(0, base * (1 + shape.amplitude * Math.sin((2 * Math.PI * elapsedMs) / shape.periodMs)))
    case 'step':
      return elapsedMs % shape.periodMs < shape.periodMs / 2 ? base : base * shape.factor
  }
}

/** The highest rate a shape reaches with this base: what the safety cap is checked against. */
export function peakRate(base: number, shape: RateShape): number {
  switch (shape.kind) {
    case 'constant':
      return base
    case 'sine':
      return base * (1 + Math.abs(shape.amplitude))
    case 'step':
      return base * Math.max(1, shape.factor)
  }
}

export interface PacerOptions {
  readonly clock: () => number
  readonly ratePerSec: number
  readonly shape: RateShape
  /** Most catch-up after a stall, in ms of the current rate. */
  readonly maxBurstMs?: number
}

export class Pacer {
  readonly #clock: () => number
  readonly #shape: RateShape
  readonly #maxBurstMs: number
  readonly #startedAt: number
  #base: number
  #tokens = 0
  #last: number

  constructor(options: PacerOptions) {
    this.#clock = options.clock
    this.#shape = options.shape
    this.#maxBurstMs = options.maxBurstMs ?? 200
    this.#base = options.ratePerSec
    this.#startedAt = this.#clock()
    this.#last = this.#startedAt
  }

  get baseRate(): number {
    return this.#base
  }

  get shape(): RateShape {
    return this.#shape
  }

  /** The rate the shape asks for now. */
  currentRate(now = this.#clock()): number {
    return shapedRate(this.#base, this.#shape, now - this.#startedAt)
  }

  /** Changes the base rate from now on; tokens earned so far stay (within the new burst limit). */
  setRate(ratePerSec: number): void {
    this.#accrue(this.#clock())
    this.#base = ratePerSec
    this.#tokens = Math.min(this.#tokens, this.#capacity(this.currentRate()))
  }

  /** Whole events that may be sent now. */
  available(): number {
    this.#accrue(this.#clock())
    return Math.floor(this.#tokens)
  }

  /** Records that `n` events were sent. */
  take(n: number): void {
    this.#tokens -= n
  }

  /** Forgets earned tokens, so a resume or a recovered Kafka does not start with a burst. */
  reset(): void {
    this.#last = this.#clock()
    this.#tokens = 0
  }

  /** Milliseconds until the next whole token, for sleeping between ticks. */
  msUntilNext(): number {
    const rate = this.currentRate()
    if (rate <= 0) return Number.POSITIVE_INFINITY
    return Math.max(0, ((1 - (this.#tokens - Math.floor(this.#tokens))) * 1000) / rate)
  }

  #capacity(rate: number): number {
    return Math.max(1, (rate * this.#maxBurstMs) / 1000)
  }

  #accrue(now: number): void {
    const elapsed = now - this.#last
    if (elapsed <= 0) return
    // the rate at the middle of the interval integrates a smooth shape well at millisecond ticks
    const rate = shapedRate(this.#base, this.#shape, (this.#last + now) / 2 - this.#startedAt)
    this.#tokens = Math.min(this.#tokens + (rate * elapsed) / 1000, this.#capacity(rate))
    this.#last = now
  }
}
