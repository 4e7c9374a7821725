/**
 * The most recent latency samples (a fixed-size ring), for the percentiles `/status` and
 * `sretl status` show; the histograms in /metrics are the long-term record.
 */
export class LatencyWindow {
  readonly #samples: Float64Array
  #next = 0
  #count = 0

  constructor(size = 4096) {
    this.#samples = new Float64Array(size)
  }

  add(ms: number): void {
    this.#samples[this.#next] = ms
    this.#next = (this.#next + 1) % this.#samples.length
    if (this.#count < this.#samples.length) this.#count += 1
  }

  get count(): number {
    return this.#count
  }

  /** Nearest-rank percentiles (0 < p ≤ 100) of the samples held; undefined when empty. */
  percentiles(ps: readonly number[]): (number | undefined)[] {
    if (this.#count === 0) return ps.map(() => undefined)
    const sorted = this.#samples.slice(0, this.#count).sort()
    return ps.map(
      (p) => sorted[Math.min(this.#count - 1, Math.max(0, Math.ceil((p / 100) * this.#count) - 1))],
    )
  }
}
