/**
 * The business views of the panel, read from the aggregate tables (docs/aggregates.md): sales of
 * the last hour by store, the latest rolling 1-hour value per store, and today's top SKUs overall
 * (per currency, UTC day) or of one store (its local day). Amounts stay in minor units of their
 * currency and are never added across currencies.
 */
import type { Pool } from '../../platform/postgres.ts'

/** More rows than any chain has stores: the answer stays bounded whatever the topic carried. */
export const MAX_STORE_ROWS = 1000
/** Boundaries of one store's rolling history (6 hours of minutes). */
const HISTORY_MINUTES = 360

export interface StoreHour {
  readonly storeId: string
  readonly name: string | null
  readonly timeZone: string | null
  readonly currency: string
  readonly lines: number
  readonly units: number
  readonly receipts: number
  readonly grossMinor: number
  readonly returnsMinor: number
  readonly netMinor: number
  /** The store's newest store_rolling_1h row at or before `asOf` (within the hour), if any. */
  readonly rolling: { readonly windowEnd: string; readonly netMinor: number; readonly final: boolean } | null
}

export interface CurrencyTotal {
  readonly currency: string
  readonly stores: number
  readonly lines: number
  readonly units: number
  readonly receipts: number
  readonly netMinor: number
}

export interface TopSku {
  readonly rank: number
  readonly sku: string
  readonly name: string | null
  readonly category: string | null
  readonly units: number
  readonly netMinor: number
}

export interface TopSkuList {
  readonly currency: string
  /** The day summed: the UTC date overall, the store's local date for one store. */
  readonly day: string
  readonly skus: readonly TopSku[]
}

export interface StoreDetail {
  readonly storeId: string
  readonly name: string
  readonly timeZone: string
  readonly currency: string
  readonly rollingHistory: readonly { readonly windowEnd: string; readonly netMinor: number }[]
  readonly topSkusToday: TopSkuList
}

export interface BusinessView {
  readonly asOf: string
  /** The event-time watermark of the aggregates (null before the first publish cycle). */
  readonly watermark: string | null
  readonly lastHour: {
    readonly from: string
    readonly to: string
    readonly totals: readonly CurrencyTotal[]
    readonly stores: readonly StoreHour[]
    /** True when more stores sold than the answer holds (it keeps the busiest ones). */
    readonly truncated: boolean
  }
  readonly topSkusToday: readonly TopSkuList[]
  readonly store: StoreDetail | null
}

export interface Business {
  /** `storeId` adds that store's detail; null when the store is unknown. */
  view(asOf: Date, storeId?: string): Promise<BusinessView | null>
}

const n = (v: string | number | null | undefined): number => (v === null || v === undefined ? 0 : Number(v))
const iso = (v: Date | string): string => new Date(v).toISOString()

// The last 60 minute windows up to and including the current one: a live view shows the sales
// of the minute in progress too. Busiest first by receipts: amounts in different currencies
// cannot be ranked against each other.
const LAST_HOUR_SQL = `
  WITH m AS (
    SELECT store_id, currency, sum(lines) AS lines, sum(units) AS units, sum(receipts) AS receipts,
      sum(gross_minor) AS gross_minor, sum(returns_minor) AS returns_minor, sum(net_minor) AS net_minor
    FROM sales_agg_minute
    WHERE window_start >= date_trunc('minute', $1::timestamptz) - interval '59 minutes'
      AND window_start <= $1::timestamptz
    GROUP BY store_id, currency
  ), r AS (
    SELECT DISTINCT ON (store_id, currency) store_id, currency, window_end, net_minor, final
    FROM store_rolling_1h
    WHERE window_end <= $1::timestamptz AND window_end > $1::timestamptz - interval '1 hour'
    ORDER BY store_id, currency, window_end DESC
  )
  SELECT j.store_id, j.currency, s.name, s.time_zone, j.lines, j.units, j.receipts, j.gross_minor,
    j.returns_minor, j.net_minor, j.window_end, j.rolling_net_minor, j.rolling_final
  FROM (
    SELECT store_id, currency, m.lines, m.units, m.receipts, m.gross_minor, m.returns_minor, m.net_minor,
      r.window_end, r.net_minor AS rolling_net_minor, r.final AS rolling_final
    FROM m FULL JOIN r USING (store_id, currency)
  ) j
  LEFT JOIN stores s ON s.store_id = j.store_id
  ORDER BY coalesce(j.receipts, 0) DESC, coalesce(j.lines, 0) DESC, j.store_id
  LIMIT $2`

const TOTALS_SQL = `
  SELECT currency, count(DISTINCT store_id) AS stores, sum(lines) AS lines, sum(units) AS units,
    sum(receipts) AS receipts, sum(net_minor) AS net_minor
  FROM sales_agg_minute
  WHERE window_start >= date_trunc('minute', $1::timestamptz) - interval '59 minutes'
    AND window_start <= $1::timestamptz
  GROUP BY currency
  ORDER BY currency`

// Overall scope ('*'): every store of a currency by UTC hour, so "today" is the UTC day.
const TOP_OVERALL_SQL = `
  WITH d AS (SELECT date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC') AS day),
  s AS (
    SELECT currency, sku, sum(units) AS units, sum(net_minor) AS net_minor
    FROM sku_sales_hourly, d
    WHERE store_id = '*'
      AND window_start >= d.day AT TIME ZONE 'UTC' AND window_start < (d.day + interval '1 day') AT TIME ZONE 'UTC'
    GROUP BY currency, sku
  ), ranked AS (
    SELECT s.*, row_number() OVER (PARTITION BY currency ORDER BY net_minor DESC, units DESC, sku COLLATE "C") AS rank
    FROM s
  )
  SELECT ranked.currency, ranked.rank, ranked.sku, p.name, p.category, ranked.units, ranked.net_minor,
    to_char(d.day, 'YYYY-MM-DD') AS day
  FROM ranked CROSS JOIN d LEFT JOIN products p ON p.sku = ranked.sku
  WHERE ranked.rank <= 10
  ORDER BY ranked.currency, ranked.rank`

// One store's local day; the range is a little wider than the day so a 25-hour day is covered,
// and local_date picks the day's hours exactly (docs/aggregates.md).
const TOP_STORE_SQL = `
  WITH st AS (
    SELECT store_id, currency, time_zone, ($2::timestamptz AT TIME ZONE time_zone)::date AS local_day,
      (($2::timestamptz AT TIME ZONE time_zone)::date)::timestamp AT TIME ZONE time_zone AS day_start
    FROM stores WHERE store_id = $1
  )
  SELECT s.sku, p.name, p.category, sum(s.units) AS units, sum(s.net_minor) AS net_minor
  FROM st JOIN sku_sales_hourly s
    ON s.store_id = st.store_id AND s.currency = st.currency
    AND s.window_start >= st.day_start - interval '1 hour' AND s.window_start < st.day_start + interval '25 hours'
    AND s.local_date = st.local_day
  LEFT JOIN products p ON p.sku = s.sku
  GROUP BY s.sku, p.name, p.category
  ORDER BY net_minor DESC, units DESC, s.sku COLLATE "C"
  LIMIT 10`

type Row = Record<string, string | number | boolean | Date | null>

function storeHour(r: Row): StoreHour {
  return {
    storeId: String(r.store_id),
    name: r.name === null ? null : String(r.name),
    timeZone: r.time_zone === null ? null : String(r.time_zone),
    currency: String(r.currency),
    lines: n(r.lines as string),
    units: n(r.units as string),
    receipts: n(r.receipts as string),
    grossMinor: n(r.gross_minor as string),
    returnsMinor: n(r.returns_minor as string),
    netMinor: n(r.net_minor as string),
    rolling:
      r.window_end === null
        ? null
        : {
            windowEnd: iso(r.window_end as Date),
            netMinor: n(r.rolling_net_minor as string),
            final: r.rolling_final === true,
          },
  }
}

const topSku = (r: Row, rank: number): TopSku => ({
  rank,
  sku: String(r.sku),
  name: r.name === null ? null : String(r.name),
  category: r.category === null ? null : String(r.category),
  units: n(r.units as string),
  netMinor: n(r.net_minor as string),
})

export function createBusiness(reader: Pool): Business {
  async function storeDetail(asOf: Date, storeId: string): Promise<StoreDetail | null> {
    const found = await reader.query<{
      name: string
      time_zone: string
      currency: string
      local_day: string
    }>(
      `SELECT name, time_zone, currency, to_char(($2::timestamptz AT TIME ZONE time_zone)::date, 'YYYY-MM-DD') AS local_day
       FROM stores WHERE store_id = $1`,
      [storeId, asOf],
    )
    const store = found.rows[0]
    if (!store) return null
    const [history, top] = await Promise.all([
      reader.query<{ window_end: Date; net_minor: string }>(
        `SELECT window_end, net_minor FROM store_rolling_1h
         WHERE store_id = $1 AND currency = $2 AND window_end <= $3::timestamptz
           AND window_end > $3::timestamptz - make_interval(mins => $4)
         ORDER BY window_end`,
        [storeId, store.currency, asOf, HISTORY_MINUTES],
      ),
      reader.query<Row>(TOP_STORE_SQL, [storeId, asOf]),
    ])
    return {
      storeId,
      name: store.name,
      timeZone: store.time_zone,
      currency: store.currency,
      rollingHistory: history.rows.map((r) => ({ windowEnd: iso(r.window_end), netMinor: n(r.net_minor) })),
      topSkusToday: {
        currency: store.currency,
        day: store.local_day,
        skus: top.rows.map((r, i) => topSku(r, i + 1)),
      },
    }
  }

  return {
    async view(asOf, storeId) {
      const store = storeId === undefined ? null : await storeDetail(asOf, storeId)
      if (storeId !== undefined && store === null) return null
      const [stores, totals, top, watermark] = await Promise.all([
        reader.query<Row>(LAST_HOUR_SQL, [asOf, MAX_STORE_ROWS + 1]),
        reader.query<Row>(TOTALS_SQL, [asOf]),
        reader.query<Row>(TOP_OVERALL_SQL, [asOf]),
        reader.query<{ value: Date }>(`SELECT value FROM agg_state WHERE name = 'watermark'`),
      ])
      const lists = new Map<string, { day: string; skus: TopSku[] }>()
      for (const r of top.rows) {
        const currency = String(r.currency)
        const list = lists.get(currency) ?? { day: String(r.day), skus: [] }
        list.skus.push(topSku(r, n(r.rank as string)))
        lists.set(currency, list)
      }
      const from = new Date(Math.floor(asOf.getTime() / 60_000) * 60_000 - 59 * 60_000)
      const wm = watermark.rows[0]?.value
      return {
        asOf: asOf.toISOString(),
        watermark: wm ? iso(wm) : null,
        lastHour: {
          from: from.toISOString(),
          to: asOf.toISOString(),
          totals: totals.rows.map((r) => ({
            currency: String(r.currency),
            stores: n(r.stores as string),
            lines: n(r.lines as string),
            units: n(r.units as string),
            receipts: n(r.receipts as string),
            netMinor: n(r.net_minor as string),
          })),
          stores: stores.rows.slice(0, MAX_STORE_ROWS).map(storeHour),
          truncated: stores.rows.length > MAX_STORE_ROWS,
        },
        topSkusToday: [...lists].map(([currency, list]) => ({ currency, ...list })),
        store,
      }
    },
  }
}
