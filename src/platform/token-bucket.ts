/**
 * A token bucket for rate limits: `ratePerSec` tokens a second, at most `burst` saved up. Taking
 * more than is there fails with the wait until it would succeed, which becomes the Retry-After
 * of a 429. Time comes from an injected clock.
 */
export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number }

export class TokenBucket {
  readonly ratePerSec: number
  readonly burst: number
  readonly #clock: () => number
  #tokens: number
  #last: number

  constructor(options: { ratePerSec: number; burst: number; clock: () => number }) {
    this.ratePerSec = options.ratePerSec
    this.burst = options.burst
    this.#clock = options.clock
    this.#tokens = options.burst
    this.#last = options.clock()
  }

  /** Takes `n` tokens if all are there; otherwise takes none and says how long to wait. */
  take(n: number): TakeResult {
    this.#refill()
    if (n <= this.#tokens) {
      this.#tokens -= n
      return { ok: true }
    }
    if (n > this.burst || this.ratePerSec <= 0) return { ok: false, retryAfterMs: Number.POSITIVE_INFINITY }
    return { ok: false, retryAfterMs: Math.ceil(((n - this.#tokens) * 1000) / this.ratePerSec) }
  }

  /** Tokens there now. */
  get available(): number {
    this.#refill()
    return this.#tokens
  }

  #refill(): void {
    const now = this.#clock()
    const elapsed = now - this.#last
    if (elapsed <= 0) return
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSec) / 1000)
    this.#last = now
  }
}
