/**
 * When and where customers shop: each store's traffic follows its own local clock (opening
 * hours, a lunch and an evening peak, a weekend uplift) scaled by its size, and SKU popularity
 * follows a Zipf law. Both are sampled tens of thousands of times a second, so the expensive
 * parts (time-zone offsets, weight tables) are computed once per simulated minute, not per event.
 */
import type { Store } from '../domain/reference-data.ts'
import { cumulativeWeights, type Random } from '../domain/random.ts'

export interface TrafficProfile {
  /** Local hour (0–23) whose 60 minutes are the busiest around lunch. */
  readonly lunchPeakHour: number
  /** Local hour (0–23) whose 60 minutes are the busiest of the day. */
  readonly eveningPeakHour: number
  /** Traffic multiplier on local Saturdays and Sundays. */
  readonly weekendUplift: number
}

export const DEFAULT_TRAFFIC: TrafficProfile = { lunchPeakHour: 12, eveningPeakHour: 18, weekendUplift: 1.3 }

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000
const offsetCache = new Map<string, number>()
const formatters = new Map<string, Intl.DateTimeFormat>()

/** Offset of a time zone from UTC at `timeMs`, in ms (DST and half-hour zones included). */
export function zoneOffsetMs(timeZone: string, timeMs: number): number {
  // offsets change only on quarter hours; cache per zone and quarter hour
  const slot = Math.floor(timeMs / (15 * MINUTE_MS))
  const key = `${timeZone}@${slot}`
  const cached = offsetCache.get(key)
  if (cached !== undefined) return cached
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  const at = slot * 15 * MINUTE_MS
  const parts: Record<string, number> = {}
  for (const part of formatter.formatToParts(at)) parts[part.type] = Number(part.value)
  const local = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
  )
  const offset = local - at
  if (offsetCache.size > 50_000) offsetCache.clear()
  offsetCache.set(key, offset)
  return offset
}

/** Local wall-clock reading of a UTC instant in a zone, as a Date whose UTC fields are local. */
export function localTime(timeZone: string, timeMs: number): Date {
  return new Date(timeMs + zoneOffsetMs(timeZone, timeMs))
}

/**
 * Relative traffic of an open store at a local time: a base level, a lunch and an evening bump
 * (Gaussians centred in the middle of the configured hours, the evening one higher), and the
 * weekend uplift. Zero outside opening hours.
 */
export function storeTraffic(
  store: Pick<Store, 'opens_hour' | 'closes_hour'>,
  localHour: number,
  weekend: boolean,
  profile: TrafficProfile,
): number {
  if (localHour < store.opens_hour || localHour >= store.closes_hour) return 0
  const lunch = profile.lunchPeakHour + 0.5
  const evening = profile.eveningPeakHour + 0.5
  const bump = (centre: number, width: number): number =>
    Math.exp(-((localHour - centre) ** 2) / (2 * width ** 2))
  const level = 0.25 + 0.6 * bump(lunch, 0.8) + 0.9 * bump(evening, 1.0)
  return weekend ? level * profile.weekendUplift : level
}

/** The stores' traffic weights at one minute, as a cumulative table to sample from. */
export class StoreWeights {
  readonly #stores: readonly Store[]
  readonly #profile: TrafficProfile
  readonly #sizeFactor: Float64Array
  #minute = Number.NaN
  #cumulative: Float64Array
  #total = 0

  constructor(stores: readonly Store[], profile: TrafficProfile) {
    if (stores.length === 0) throw new Error('the simulator needs at least one store')
    this.#stores = stores
    this.#profile = profile
    // bigger stores sell more, but less than proportionally to floor space
    this.#sizeFactor = Float64Array.from(stores, (s) => s.size_sqm ** 0.7)
    this.#cumulative = new Float64Array(stores.length)
  }

  /** Sum of all stores' weights at `timeMs` (the chain's relative traffic). */
  total(timeMs: number): number {
    this.#refresh(timeMs)
    return this.#total
  }

  /** A store index drawn by weight at `timeMs`; uniform if every store is closed. */
  pick(timeMs: number, random: Random): number {
    this.#refresh(timeMs)
    if (this.#total <= 0) return random.int(this.#stores.length)
    const x = random.float() * this.#total
    let lo = 0
    let hi = this.#cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.#cumulative[mid] ?? 0) > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  #refresh(timeMs: number): void {
    const minute = Math.floor(timeMs / MINUTE_MS)
    if (minute === this.#minute) return
    this.#minute = minute
    const at = minute * MINUTE_MS + MINUTE_MS / 2
    const weights = this.#stores.map((store, i) => {
      const local = localTime(store.time_zone, at)
      const hour = local.getUTCHours() + local.getUTCMinutes() / 60
      const day = local.getUTCDay()
      return storeTraffic(store, hour, day === 0 || day === 6, this.#profile) * (this.#sizeFactor[i] ?? 1)
    })
    this.#cumulative = cumulativeWeights(weights)
    this.#total = this.#cumulative[this.#cumulative.length - 1] ?? 0
  }
}

/** Average of the chain's traffic over the week starting at `fromMs`, sampled every 20 minutes. */
export function weeklyMeanTraffic(weights: StoreWeights, fromMs: number): number {
  let sum = 0
  const samples = (7 * 24 * HOUR_MS) / (20 * MINUTE_MS)
  for (let i = 0; i < samples; i++) sum += weights.total(fromMs + i * 20 * MINUTE_MS)
  return sum / samples
}

/**
 * Ranks drawn with P(rank k) ∝ 1 / k^exponent (k = 1…n), mapped through a fixed permutation so
 * that the most popular products are spread over the catalogue rather than being SKU-00001….
 */
export class ZipfSampler {
  readonly #cumulative: Float64Array
  /** rank (0-based) → item index */
  readonly rankToItem: Int32Array

  constructor(n: number, exponent: number, random: Random) {
    const weights = new Float64Array(n)
    for (let k = 1; k <= n; k++) weights[k - 1] = 1 / k ** exponent
    this.#cumulative = cumulativeWeights(weights)
    this.rankToItem = Int32Array.from({ length: n }, (_, i) => i)
    for (let i = n - 1; i > 0; i--) {
      const j = random.int(i + 1)
      const tmp = this.rankToItem[i] ?? i
      this.rankToItem[i] = this.rankToItem[j] ?? j
      this.rankToItem[j] = tmp
    }
  }

  /** An item index. */
  sample(random: Random): number {
    return this.rankToItem[random.pickCumulative(this.#cumulative)] ?? 0
  }
}
