/**
 * A small, fast, seedable random number generator (sfc32 seeded through a string hash), so that
 * the same seed always yields the same reference data and the same event stream. Math.random
 * cannot be seeded and crypto is far too slow for tens of thousands of events per second.
 */

export type Seed = string | number

/** cyrb128: four well-mixed 32-bit words from a string, enough state for sfc32. */
function hashSeed(text: string): [number, number, number, number] {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

export class Random {
  readonly seed: string
  #a: number
  #b: number
  #c: number
  #d: number
  #spareNormal: number | undefined

  constructor(seed: Seed) {
    this.seed = String(seed)
    ;[this.#a, this.#b, this.#c, this.#d] = hashSeed(this.seed)
    // the first outputs of sfc32 are weakly mixed; discard them
    for (let i = 0; i < 15; i++) this.uint32()
  }

  /** An independent generator for one purpose, so adding draws in one place does not shift another. */
  fork(label: string | number): Random {
    return new Random(`${this.seed}/${label}`)
  }

  uint32(): number {
    const a = this.#a
    const b = this.#b
    const c = this.#c
    const d = this.#d
    const t = (((a + b) | 0) + d) | 0
    this.#d = (d + 1) | 0
    this.#a = b ^ (b >>> 9)
    this.#b = (c + (c << 3)) | 0
    const r = (c << 21) | (c >>> 11)
    this.#c = (r + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n)
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  chance(p: number): boolean {
    return p > 0 && this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)]
    if (item === undefined) throw new Error('pick from an empty list')
    return item
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const spare = this.#spareNormal
      this.#spareNormal = undefined
      return spare
    }
    let u = 0
    while (u === 0) u = this.float()
    const v = this.float()
    const r = Math.sqrt(-2 * Math.log(u))
    this.#spareNormal = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float())
  }

  /** Fills `target` with random bytes (for UUIDv7's random part). */
  fill(target: Uint8Array): Uint8Array {
    for (let i = 0; i < target.length; i += 4) {
      let word = this.uint32()
      for (let j = i; j < Math.min(i + 4, target.length); j++) {
        target[j] = word & 0xff
        word >>>= 8
      }
    }
    return target
  }

  /** Index drawn from a cumulative weight table (ascending, last entry = total). */
  pickCumulative(cumulative: ArrayLike<number>): number {
    const total = cumulative[cumulative.length - 1] ?? 0
    return searchCumulative(cumulative, this.float() * total)
  }
}

/** First index whose cumulative weight exceeds `x` (binary search). */
export function searchCumulative(cumulative: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((cumulative[mid] ?? 0) > x) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** A cumulative table from weights. */
export function cumulativeWeights(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length)
  let sum = 0
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] ?? 0
    out[i] = sum
  }
  return out
}
