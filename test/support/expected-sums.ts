/**
 * The aggregates a test expects, computed here from the events it sent: a second implementation
 * of docs/aggregates.md's measures and windows that shares no code with src/ or sql/oracle/, so a
 * test can check the tables without trusting the oracle (which `sretl rebuild-aggregates` and
 * `sretl verify` both use). Local hours come from Intl; tests that depend on a zone's rules also
 * assert the offsets they expect by hand.
 */
import assert from 'node:assert/strict'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { referenceStores } from '../../src/domain/reference-data.ts'
import type { Pool } from '../../src/platform/postgres.ts'

const MEASURES = [
  'lines',
  'units',
  'receipts',
  'gross_minor',
  'discount_minor',
  'returns_minor',
  'net_minor',
] as const
type Sums = Record<(typeof MEASURES)[number], number>

const HOUR_MS = 3_600_000
const iso = (ms: number): string => new Date(ms).toISOString()

function addLine(into: Sums, e: SaleLine): void {
  const sale = e.event_type === 'SALE'
  into.lines += 1
  into.units += e.quantity
  into.receipts += e.line_no === 1 ? 1 : 0
  into.gross_minor += sale ? e.quantity * e.unit_price_minor : 0
  into.discount_minor += sale ? e.discount_minor : 0
  into.returns_minor += sale ? 0 : -e.net_amount_minor
  into.net_minor += e.net_amount_minor
}

const zero = (): Sums => ({
  lines: 0,
  units: 0,
  receipts: 0,
  gross_minor: 0,
  discount_minor: 0,
  returns_minor: 0,
  net_minor: 0,
})

export interface LocalHour {
  /** The UTC instant the local hour starts (the instant minus the time since the local hour began). */
  readonly windowStart: string
  readonly localDate: string
  readonly localHour: number
  readonly utcOffsetMinutes: number
}

const formats = new Map<string, Intl.DateTimeFormat>()

/** The local hour of `instant` on the clocks of `timeZone`. */
export function localHourAt(instant: string, timeZone: string): LocalHour {
  let format = formats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formats.set(timeZone, format)
  }
  const ms = Date.parse(instant)
  const part = (type: string): number => Number(format.formatToParts(ms).find((p) => p.type === type)?.value)
  const wall =
    Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) +
    (ms % 1000)
  const sinceHour = ((wall % HOUR_MS) + HOUR_MS) % HOUR_MS
  return {
    windowStart: iso(ms - sinceHour),
    localDate: iso(wall).slice(0, 10),
    localHour: part('hour'),
    utcOffsetMinutes: Math.round((wall - ms) / 60_000),
  }
}

/** The reference stores' time zones (UTC for a store not among them, as the aggregates do). */
export function referenceZones(extra: Readonly<Record<string, string>> = {}): (store: string) => string {
  const zones = new Map(referenceStores().map((s) => [s.store_id, s.time_zone]))
  return (store) => extra[store] ?? zones.get(store) ?? 'UTC'
}

/** sales_agg_minute as expected, by "store|currency|window_start". */
export function expectedMinutes(events: readonly SaleLine[]): Map<string, Sums> {
  const out = new Map<string, Sums>()
  for (const e of events) {
    const start = Math.floor(Date.parse(e.event_time) / 60_000) * 60_000
    const key = `${e.store_id}|${e.currency}|${iso(start)}`
    const sums = out.get(key) ?? zero()
    addLine(sums, e)
    out.set(key, sums)
  }
  return out
}

export type HourlyExpectation = Sums & Omit<LocalHour, 'windowStart'> & { time_zone: string }

/** sales_hourly as expected, by "store|currency|window_start" of the store's local hour. */
export function expectedHours(
  events: readonly SaleLine[],
  zoneOf: (store: string) => string,
): Map<string, HourlyExpectation> {
  const out = new Map<string, HourlyExpectation>()
  for (const e of events) {
    const zone = zoneOf(e.store_id)
    const { windowStart, ...local } = localHourAt(e.event_time, zone)
    const key = `${e.store_id}|${e.currency}|${windowStart}`
    const row = out.get(key) ?? { ...zero(), ...local, time_zone: zone }
    addLine(row, e)
    out.set(key, row)
  }
  return out
}

export interface TopSkuExpectation {
  sku: string
  lines: number
  units: number
  net_minor: number
}

/**
 * top_skus as expected, by "scope|store|currency|window_start|rank": per store by local hour and
 * per currency by UTC hour (store '*'), ten ranks by net revenue, then units, then SKU bytes.
 */
export function expectedTopSkus(
  events: readonly SaleLine[],
  zoneOf: (store: string) => string,
): Map<string, TopSkuExpectation> {
  const groups = new Map<string, Map<string, TopSkuExpectation>>()
  const add = (group: string, e: SaleLine): void => {
    const skus = groups.get(group) ?? new Map<string, TopSkuExpectation>()
    const s = skus.get(e.sku) ?? { sku: e.sku, lines: 0, units: 0, net_minor: 0 }
    s.lines += 1
    s.units += e.quantity
    s.net_minor += e.net_amount_minor
    skus.set(e.sku, s)
    groups.set(group, skus)
  }
  for (const e of events) {
    add(`store|${e.store_id}|${e.currency}|${localHourAt(e.event_time, zoneOf(e.store_id)).windowStart}`, e)
    const utcHour = Math.floor(Date.parse(e.event_time) / HOUR_MS) * HOUR_MS
    add(`all|*|${e.currency}|${iso(utcHour)}`, e)
  }
  const out = new Map<string, TopSkuExpectation>()
  for (const [group, skus] of groups) {
    const ranked = [...skus.values()].sort(
      (a, b) =>
        b.net_minor - a.net_minor ||
        b.units - a.units ||
        Buffer.compare(Buffer.from(a.sku), Buffer.from(b.sku)),
    )
    ranked.slice(0, 10).forEach((s, i) => out.set(`${group}|${i + 1}`, s))
  }
  return out
}

const WINDOW = (c: string): string => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const sorted = <T>(m: Map<string, T>): [string, T][] =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

async function tableRows<T>(pool: Pool, sql: string, row: (r: Record<string, unknown>) => [string, T]) {
  return new Map((await pool.query<Record<string, unknown>>(sql)).rows.map(row))
}

const measuresOf = (r: Record<string, unknown>): Sums =>
  Object.fromEntries(MEASURES.map((m) => [m, Number(r[m])])) as Sums

/**
 * Asserts that sales_agg_minute, sales_hourly and top_skus hold exactly the rows computed from
 * `events` (every key, no other key, every measure and local-hour column).
 */
export async function assertTablesEqualExpected(
  pool: Pool,
  events: readonly SaleLine[],
  zoneOf: (store: string) => string,
): Promise<void> {
  const minutes = await tableRows(
    pool,
    `SELECT store_id || '|' || currency || '|' || ${WINDOW('window_start')} AS k, * FROM sales_agg_minute`,
    (r) => [String(r.k), measuresOf(r)],
  )
  assert.deepEqual(
    sorted(minutes),
    sorted(expectedMinutes(events)),
    'sales_agg_minute = sums of the events sent',
  )

  const hours = await tableRows(
    pool,
    `SELECT store_id || '|' || currency || '|' || ${WINDOW('window_start')} AS k,
       to_char(local_date, 'YYYY-MM-DD') AS local_date_text, * FROM sales_hourly`,
    (r): [string, HourlyExpectation] => [
      String(r.k),
      {
        ...measuresOf(r),
        localDate: String(r.local_date_text),
        localHour: Number(r.local_hour),
        utcOffsetMinutes: Number(r.utc_offset_minutes),
        time_zone: String(r.time_zone),
      },
    ],
  )
  assert.deepEqual(
    sorted(hours),
    sorted(expectedHours(events, zoneOf)),
    'sales_hourly = sums of the events sent',
  )

  const top = await tableRows(
    pool,
    `SELECT scope || '|' || store_id || '|' || currency || '|' || ${WINDOW('window_start')} || '|' || rank AS k,
       sku, lines, units, net_minor FROM top_skus`,
    (r): [string, TopSkuExpectation] => [
      String(r.k),
      { sku: String(r.sku), lines: Number(r.lines), units: Number(r.units), net_minor: Number(r.net_minor) },
    ],
  )
  assert.deepEqual(
    sorted(top),
    sorted(expectedTopSkus(events, zoneOf)),
    'top_skus = ranks of the events sent',
  )
}
