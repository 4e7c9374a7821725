/**
 * The aggregates' measures and the pre-aggregation of one landed batch into deltas
 * (docs/aggregates.md has the definitions; sql/oracle/ computes the same from sales_raw).
 *
 * For every sale line, in minor units of its currency:
 *   lines     1
 *   units     quantity (negative for returns and voids)
 *   receipts  1 when line_no = 1 — a receipt counts in the window of its first line, so the
 *             count is exact and additive however a receipt's lines straddle batches or windows
 *   gross     quantity × unit_price_minor on SALE lines
 *   discount  discount_minor on SALE lines
 *   returns   −net_amount_minor on RETURN and VOID lines (money given back or taken off, ≥ 0)
 *   net       net_amount_minor on every line (= what the till took, tax included)
 *
 * Sums stay exact: they are JavaScript numbers while they are safe integers and become bigints
 * beyond 2^53.
 */
import type { SaleLine } from './sale-line.ts'
import { localHourOf, MINUTE_MS, minuteStart, utcHourOf, type LocalHour } from './windows.ts'

export type Amount = number | bigint

export function addAmount(a: Amount, b: Amount): Amount {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b
    if (Number.isSafeInteger(sum)) return sum
  }
  return BigInt(a) + BigInt(b)
}

export const MEASURES = [
  'lines',
  'units',
  'receipts',
  'gross_minor',
  'discount_minor',
  'returns_minor',
  'net_minor',
] as const
export type Measure = (typeof MEASURES)[number]
export type Measures = Record<Measure, Amount>

export const zeroMeasures = (): Measures => ({
  lines: 0,
  units: 0,
  receipts: 0,
  gross_minor: 0,
  discount_minor: 0,
  returns_minor: 0,
  net_minor: 0,
})

/** The measures of one sale line. */
export function lineMeasures(e: SaleLine): Measures {
  const sale = e.event_type === 'SALE'
  return {
    lines: 1,
    units: e.quantity,
    receipts: e.line_no === 1 ? 1 : 0,
    gross_minor: sale ? e.quantity * e.unit_price_minor : 0,
    discount_minor: sale ? e.discount_minor : 0,
    returns_minor: sale ? 0 : -e.net_amount_minor,
    net_minor: e.net_amount_minor,
  }
}

export function addMeasures(into: Measures, add: Measures): void {
  for (const m of MEASURES) into[m] = addAmount(into[m], add[m])
}

export interface SkuMeasures {
  lines: Amount
  units: Amount
  net_minor: Amount
}

/** A delta of the per-store aggregates (minute or local hour). */
export interface StoreDelta {
  readonly storeId: string
  readonly currency: string
  readonly windowStart: number
  readonly hour?: LocalHour
  readonly timeZone?: string
  readonly measures: Measures
}

/** A delta of sku_sales_hourly: storeId '*' is the overall scope (all stores, UTC hour). */
export interface SkuDelta {
  readonly storeId: string
  readonly currency: string
  readonly windowStart: number
  readonly sku: string
  readonly localDate: string
  readonly localHour: number
  readonly measures: SkuMeasures
}

export interface BatchDeltas {
  /** Each list sorted by its table's primary key: every writer locks rows in the same order. */
  readonly minutes: readonly StoreDelta[]
  readonly hours: readonly StoreDelta[]
  readonly skus: readonly SkuDelta[]
}

export interface AggregatableRow {
  readonly event: SaleLine
  readonly eventTimeMs: number
}

export const OVERALL_SCOPE = '*'

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function compareStoreDelta(a: StoreDelta, b: StoreDelta): number {
  return (
    compareText(a.storeId, b.storeId) || compareText(a.currency, b.currency) || a.windowStart - b.windowStart
  )
}

function compareSkuDelta(a: SkuDelta, b: SkuDelta): number {
  return (
    compareText(a.storeId, b.storeId) ||
    compareText(a.currency, b.currency) ||
    a.windowStart - b.windowStart ||
    compareText(a.sku, b.sku)
  )
}

/**
 * Deltas of one batch of new rows. `timeZoneOf` gives a store's IANA zone (UTC when unknown);
 * the per-store hour and the store scope of the SKU sums follow the store's local hours.
 */
export function aggregateBatch(
  rows: readonly AggregatableRow[],
  timeZoneOf: (storeId: string) => string,
): BatchDeltas {
  const minutes = new Map<string, StoreDelta>()
  const hours = new Map<string, StoreDelta>()
  const skus = new Map<string, SkuDelta>()
  for (const { event, eventTimeMs } of rows) {
    const measures = lineMeasures(event)
    const { store_id: storeId, currency } = event
    const minute = minuteStart(eventTimeMs)
    const minuteKey = `${storeId}|${currency}|${minute}`
    let m = minutes.get(minuteKey)
    if (!m) {
      m = { storeId, currency, windowStart: minute, measures: zeroMeasures() }
      minutes.set(minuteKey, m)
    }
    addMeasures(m.measures, measures)

    const timeZone = timeZoneOf(storeId)
    const hour = localHourOf(timeZone, eventTimeMs)
    const hourKey = `${storeId}|${currency}|${hour.start}`
    let h = hours.get(hourKey)
    if (!h) {
      h = { storeId, currency, windowStart: hour.start, hour, timeZone, measures: zeroMeasures() }
      hours.set(hourKey, h)
    }
    addMeasures(h.measures, measures)

    const sku = { lines: 1, units: event.quantity, net_minor: event.net_amount_minor }
    addSku(skus, storeId, currency, hour, event.sku, sku)
    addSku(skus, OVERALL_SCOPE, currency, utcHourOf(eventTimeMs), event.sku, sku)
  }
  return {
    minutes: [...minutes.values()].sort(compareStoreDelta),
    hours: [...hours.values()].sort(compareStoreDelta),
    skus: [...skus.values()].sort(compareSkuDelta),
  }
}

function addSku(
  skus: Map<string, SkuDelta>,
  storeId: string,
  currency: string,
  hour: LocalHour,
  sku: string,
  add: SkuMeasures,
): void {
  const key = `${storeId}|${currency}|${hour.start}|${sku}`
  const found = skus.get(key)
  if (!found) {
    skus.set(key, {
      storeId,
      currency,
      windowStart: hour.start,
      sku,
      localDate: hour.localDate,
      localHour: hour.localHour,
      measures: { ...add },
    })
    return
  }
  found.measures.lines = addAmount(found.measures.lines, add.lines)
  found.measures.units = addAmount(found.measures.units, add.units)
  found.measures.net_minor = addAmount(found.measures.net_minor, add.net_minor)
}

/** The minute windows' end, for freshness and finality. */
export const minuteEnd = (windowStart: number): number => windowStart + MINUTE_MS

/**
 * The highest event time of `rows` that may move the watermark: events dated more than
 * `maxFutureMs` after their Kafka timestamp (a till clock years off) are ignored.
 */
export function admissibleMaxEventTime(
  rows: readonly (AggregatableRow & { readonly produceTimeMs: number })[],
  maxFutureMs: number,
): number | undefined {
  let max: number | undefined
  for (const r of rows) {
    if (r.eventTimeMs > r.produceTimeMs + maxFutureMs) continue
    if (max === undefined || r.eventTimeMs > max) max = r.eventTimeMs
  }
  return max
}

/** Ranks SKUs as top_skus does: net revenue, then units (both descending), then SKU id. */
export function compareSkuRank(
  a: { readonly sku: string; readonly units: Amount; readonly net_minor: Amount },
  b: { readonly sku: string; readonly units: Amount; readonly net_minor: Amount },
): number {
  const byNet = compareAmount(b.net_minor, a.net_minor)
  if (byNet !== 0) return byNet
  const byUnits = compareAmount(b.units, a.units)
  if (byUnits !== 0) return byUnits
  return compareText(a.sku, b.sku)
}

function compareAmount(a: Amount, b: Amount): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export const TOP_N = 10
