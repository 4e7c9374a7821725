/**
 * Events per second over a sliding window, from counts recorded as they happen: 100 ms buckets
 * in a fixed ring, so memory does not grow with the rate and reading it costs the same at any
 * rate.
 */
export class RateMeter {
  readonly #bucketMs: number
  readonly #counts: Float64Array
  readonly #clock: () => number
  #bucket: number

  constructor(options: { clock: () => number; windowMs?: number; bucketMs?: number }) {
    this.#clock = options.clock
    this.#bucketMs = options.bucketMs ?? 100
    this.#counts = new Float64Array(Math.max(1, Math.round((options.windowMs ?? 3000) / this.#bucketMs)))
    this.#bucket = Math.floor(this.#clock() / this.#bucketMs)
  }

  record(n: number): void {
    this.#advance()
    const index = this.#bucket % this.#counts.length
    this.#counts[index] = (this.#counts[index] ?? 0) + n
  }

  /** Events per second over the completed buckets of the window. */
  perSecond(): number {
    this.#advance()
    const current = this.#bucket % this.#counts.length
    let sum = 0
    for (let i = 0; i < this.#counts.length; i++) if (i !== current) sum += this.#counts[i] ?? 0
    return (sum * 1000) / ((this.#counts.length - 1 || 1) * this.#bucketMs)
  }

  #advance(): void {
    const bucket = Math.floor(this.#clock() / this.#bucketMs)
    const steps = Math.min(bucket - this.#bucket, this.#counts.length)
    for (let i = 1; i <= steps; i++) this.#counts[(this.#bucket + i) % this.#counts.length] = 0
    if (bucket > this.#bucket) this.#bucket = bucket
  }
}
