/**
 * store_rolling_1h, recomputed by the publish cycle from sales_agg_minute (ADR 0040). The value at
 * boundary b is the sum of the minutes [b − 60 min, b); a row exists at b when some minute of
 * [b − 61 min, b) has data (docs/aggregates.md).
 *
 * Recent boundaries — those the horizon advances over, and those after minutes that changed less
 * than LATE_SPAN_MS before the previous horizon — are computed per store over one contiguous span
 * with window sums (each minute row is read once, not once per boundary). Boundaries after minutes
 * changed longer ago (very late events) are computed one by one (at most 61 each).
 */
import { MEASURES } from '../../domain/aggregates.ts'
import { HOUR_MS, MINUTE_MS } from '../../domain/windows.ts'
import type { PoolClient } from '../../platform/postgres.ts'
import { ROLLING_SQL, rollingUpsert } from './cycle-sql.ts'
import type { AggregateRow } from './tables.ts'
import { TS } from './write-deltas.ts'

/** Changed minutes this far before the previous horizon still join the span of their store. */
const LATE_SPAN_MS = 2 * HOUR_MS

/**
 * $1 store ids, $2 currencies, $3 first boundary per store (ms) of the changed minutes; $4 the
 * previous horizon, $5 the new one; $6 grace (ms), $7 watermark. Every store with a minute in
 * [$4 − 61 min, $5) also gets the boundaries ($4, $5].
 */
export const ROLLING_SPAN_SQL = `WITH span AS (
  SELECT store_id, currency, min(lo) AS lo FROM (
    SELECT store_id, currency, ${TS('lo')} AS lo FROM unnest($1::text[], $2::bpchar[], $3::bigint[]) AS s(store_id, currency, lo)
    UNION ALL
    SELECT DISTINCT store_id, currency, ${TS('$4')} + interval '1 minute' FROM sales_agg_minute
    WHERE ${TS('$5')} > ${TS('$4')} AND window_start >= ${TS('$4')} - interval '61 minutes' AND window_start < ${TS('$5')}
  ) x GROUP BY store_id, currency
), r AS (
  SELECT a.store_id, a.currency, a.window_start + interval '1 minute' AS at, false AS target, ${MEASURES.map((m) => `a.${m}`).join(', ')}, 1 AS n
  FROM span s JOIN sales_agg_minute a ON a.store_id = s.store_id AND a.currency = s.currency
    AND a.window_start >= s.lo - interval '61 minutes' AND a.window_start < ${TS('$5')}
  UNION ALL
  SELECT s.store_id, s.currency, gs, true, ${MEASURES.map(() => '0').join(', ')}, 0
  FROM span s, generate_series(s.lo, ${TS('$5')}, interval '1 minute') gs
), w AS (
  SELECT store_id, currency, at, target,
    ${MEASURES.map((m) => `sum(${m}) OVER w59 AS ${m}`).join(', ')}, sum(n) OVER w60 AS n60
  FROM r
  WINDOW w59 AS (PARTITION BY store_id, currency ORDER BY at RANGE BETWEEN interval '59 minutes' PRECEDING AND CURRENT ROW),
    w60 AS (PARTITION BY store_id, currency ORDER BY at RANGE BETWEEN interval '60 minutes' PRECEDING AND CURRENT ROW)
), ${rollingUpsert('w WHERE target AND n60 > 0', 'at')}`

export interface RollingWork {
  /** Minute rows read as changed by this cycle. */
  readonly changed: readonly AggregateRow[]
  readonly previousHorizon: number
  readonly horizon: number
  readonly graceMs: number
  readonly watermark: number
}

/** Recomputes the affected boundaries; returns the window ends of rows corrected after final. */
export async function refreshRolling(client: PoolClient, work: RollingWork): Promise<number[]> {
  const { previousHorizon: from, horizon: to } = work
  const spanStart = new Map<string, { store: string; currency: string; lo: number }>()
  const late: AggregateRow[] = []
  for (const m of work.changed) {
    const start = Number(m.window_start)
    if (start >= to) continue
    if (start < from - LATE_SPAN_MS) {
      late.push(m)
      continue
    }
    const key = `${String(m.store_id)}|${String(m.currency)}`
    const lo = start + MINUTE_MS
    const found = spanStart.get(key)
    if (!found || lo < found.lo)
      spanStart.set(key, { store: String(m.store_id), currency: String(m.currency), lo })
  }
  const corrected: number[] = []
  if (to > from || spanStart.size > 0) {
    const spans = [...spanStart.values()]
    const result = await client.query<{ window_end: string }>(ROLLING_SPAN_SQL, [
      spans.map((s) => s.store),
      spans.map((s) => s.currency),
      spans.map((s) => s.lo),
      from,
      to,
      work.graceMs,
      work.watermark,
    ])
    for (const r of result.rows) corrected.push(Number(r.window_end))
  }
  if (late.length > 0) {
    // only the boundaries after each late minute (the horizon does not move in this statement)
    const result = await client.query<{ window_end: string }>(ROLLING_SQL, [
      late.map((m) => m.store_id),
      late.map((m) => m.currency),
      late.map((m) => m.window_start),
      to,
      to,
      work.graceMs,
      work.watermark,
    ])
    for (const r of result.rows) corrected.push(Number(r.window_end))
  }
  return corrected
}
