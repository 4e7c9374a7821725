/**
 * Event-time windows of the aggregates (docs/aggregates.md). Every window is half-open,
 * [start, end): an event at exactly a boundary belongs to the window that starts there.
 *
 * A store-local hour is keyed by the UTC instant at which it starts. Within one local hour the
 * UTC offset is constant (time-zone transitions happen on local hour boundaries), so the start
 * of the local hour holding instant t is t − ((t + offset(t)) mod 1 h): the repeated hour of a
 * 25-hour day gives two different starts, and Asia/Kolkata's hours start at :30 UTC.
 */

export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const ROLLING_WINDOW_MS = HOUR_MS

const floorTo = (t: number, step: number): number => t - (((t % step) + step) % step)

export const minuteStart = (t: number): number => floorTo(t, MINUTE_MS)
export const utcHourStart = (t: number): number => floorTo(t, HOUR_MS)

export interface LocalHour {
  /** UTC instant, ms, at which the local hour starts. */
  readonly start: number
  /** Local calendar date, YYYY-MM-DD. */
  readonly localDate: string
  /** Local hour of day, 0–23. */
  readonly localHour: number
  /** Offset of local time from UTC during this hour, minutes (Kolkata: 330). */
  readonly offsetMinutes: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** True when the IANA time zone is known to the runtime. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** Offset of `timeZone` from UTC at instant t, in minutes (local = UTC + offset). */
export function utcOffsetMinutes(timeZone: string, t: number): number {
  const parts = formatter(timeZone).formatToParts(new Date(floorTo(t, 1000)))
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return Math.round((local - floorTo(t, 1000)) / MINUTE_MS)
}

/**
 * Offsets change at most once per 15 minutes of UTC time anywhere, so a cache by (zone,
 * quarter hour) is exact. Bounded: cleared when it grows past its limit.
 */
const OFFSET_CACHE_LIMIT = 50_000
const QUARTER_MS = 15 * MINUTE_MS
const offsetCache = new Map<string, number>()

function cachedOffset(timeZone: string, t: number): number {
  const key = `${timeZone}|${floorTo(t, QUARTER_MS)}`
  let offset = offsetCache.get(key)
  if (offset === undefined) {
    offset = utcOffsetMinutes(timeZone, t)
    if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear()
    offsetCache.set(key, offset)
  }
  return offset
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/**
 * Local hours change only at quarter hours of UTC, so the local hour of every instant of one
 * (zone, quarter hour) is the same: cached whole (bounded like the offsets).
 */
const hourCache = new Map<string, Map<number, LocalHour>>()
let hourCacheSize = 0

/** The store-local hour holding instant t (an unknown zone counts as UTC). */
export function localHourOf(timeZone: string, t: number): LocalHour {
  const quarter = floorTo(t, QUARTER_MS)
  let zone = hourCache.get(timeZone)
  const cached = zone?.get(quarter)
  if (cached) return cached
  const hour = computeLocalHour(timeZone, quarter)
  if (hourCacheSize >= OFFSET_CACHE_LIMIT) {
    hourCache.clear()
    hourCacheSize = 0
    zone = undefined
  }
  if (!zone) {
    zone = new Map()
    hourCache.set(timeZone, zone)
  }
  zone.set(quarter, hour)
  hourCacheSize += 1
  return hour
}

function computeLocalHour(timeZone: string, t: number): LocalHour {
  const offsetMinutes = cachedOffset(timeZone, t)
  const local = t + offsetMinutes * MINUTE_MS
  const localStart = floorTo(local, HOUR_MS)
  const d = new Date(localStart)
  return {
    start: t - (local - localStart),
    localDate: `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    localHour: d.getUTCHours(),
    offsetMinutes,
  }
}

let lastUtcHour: LocalHour | undefined

/** The UTC hour holding t, described like a local hour of the UTC zone (the overall scope). */
export function utcHourOf(t: number): LocalHour {
  const start = utcHourStart(t)
  if (lastUtcHour?.start === start) return lastUtcHour
  const d = new Date(start)
  lastUtcHour = {
    start,
    localDate: d.toISOString().slice(0, 10),
    localHour: d.getUTCHours(),
    offsetMinutes: 0,
  }
  return lastUtcHour
}

/** Buckets of how far past its final point a window was when it was corrected. */
export const LATENESS_BUCKETS = ['le_5m', 'le_1h', 'le_6h', 'le_1d', 'gt_1d'] as const
export type LatenessBucket = (typeof LATENESS_BUCKETS)[number]

/** `lateMs`: watermark − (window end + grace period), ≥ 0 for a correction. */
export function latenessBucket(lateMs: number): LatenessBucket {
  if (lateMs <= 5 * MINUTE_MS) return 'le_5m'
  if (lateMs <= HOUR_MS) return 'le_1h'
  if (lateMs <= 6 * HOUR_MS) return 'le_6h'
  if (lateMs <= 24 * HOUR_MS) return 'le_1d'
  return 'gt_1d'
}

/** Whether a window ending at `end` is final under `watermark` with `graceMs`. */
export const isFinal = (end: number, graceMs: number, watermark: number | undefined): boolean =>
  watermark !== undefined && end + graceMs <= watermark
