/**
 * Sign-in rate limiting: each attempt takes a token from the bucket of its source address and
 * from the bucket of the user name it tries, so neither one address guessing many names nor many
 * addresses guessing one name get far. Buckets are kept for a bounded number of keys (the oldest
 * forgotten first), so a flood of addresses cannot grow memory.
 */
import { TokenBucket } from '../../platform/token-bucket.ts'

export type LimitResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSec: number }

export class LoginLimiter {
  readonly #buckets = new Map<string, TokenBucket>()
  readonly #perMinute: number
  readonly #maxKeys: number
  readonly #clock: () => number

  constructor(options: { perMinute: number; maxKeys?: number; clock: () => number }) {
    this.#perMinute = options.perMinute
    this.#maxKeys = options.maxKeys ?? 10_000
    this.#clock = options.clock
  }

  /** Takes one attempt from every key's bucket if all have one; otherwise takes none. */
  attempt(keys: readonly string[]): LimitResult {
    const buckets = keys.map((k) => this.#bucket(k))
    const short = buckets.filter((b) => b.available < 1)
    if (short.length > 0) {
      const waitMs = Math.max(...short.map((b) => ((1 - b.available) * 1000) / b.ratePerSec))
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) }
    }
    for (const b of buckets) b.take(1)
    return { ok: true }
  }

  #bucket(key: string): TokenBucket {
    let bucket = this.#buckets.get(key)
    if (bucket) {
      this.#buckets.delete(key)
    } else {
      bucket = new TokenBucket({
        ratePerSec: this.#perMinute / 60,
        burst: this.#perMinute,
        clock: this.#clock,
      })
      while (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next().value
        if (oldest === undefined) break
        this.#buckets.delete(oldest)
      }
    }
    this.#buckets.set(key, bucket)
    return bucket
  }
}
