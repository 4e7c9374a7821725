/**
 * `sretl rebuild-aggregates`: the aggregate tables recomputed from sales_raw with the oracle's SQL,
 * for after an incident or a period with AGGREGATES_ENABLED=false (docs/aggregates.md,
 * "Rebuilding"). One transaction as the tables' owner: sales_agg_minute and sales_hourly are
 * refilled from their oracles, the per-SKU sums are queued as deltas (sku_sales_deltas),
 * store_rolling_1h, sku_sales_hourly and top_skus are emptied and the rolling horizon forgotten,
 * so the landers' publish cycles fold, derive and publish every row again (new versions, not
 * final until the watermark passes them again). Run while
 * no lander runs: a landing transaction in between would add its deltas to rows being replaced.
 */
import { MEASURES } from '../domain/aggregates.ts'
import { ORACLES, oracleSql } from './verify.ts'
import type { Pool } from '../platform/postgres.ts'

export interface RebuildResult {
  readonly rows: Readonly<Record<string, number>>
}

const oracle = (aggregate: string): string => {
  const spec = ORACLES.find((o) => o.aggregate === aggregate)
  if (!spec) throw new Error(`no oracle for ${aggregate}`)
  return oracleSql(spec)
}

const measures = MEASURES.join(', ')

const STEPS: readonly (readonly [table: string, sql: string])[] = [
  [
    'sales_agg_minute',
    `INSERT INTO sales_agg_minute (store_id, currency, window_start, window_end, ${measures})
     SELECT store_id, currency, window_start, window_end, ${measures} FROM (${oracle('sales_minute')}) o`,
  ],
  [
    'sales_hourly',
    `INSERT INTO sales_hourly (store_id, currency, window_start, window_end, time_zone, local_date, local_hour,
       utc_offset_minutes, ${measures})
     SELECT store_id, currency, window_start, window_end, time_zone, local_date, local_hour, utc_offset_minutes,
       ${measures} FROM (${oracle('sales_hourly')}) o`,
  ],
  // as deltas: the publish cycle folds them into sku_sales_hourly and ranks every hour they touch
  [
    'sku_sales_deltas',
    `INSERT INTO sku_sales_deltas (store_id, currency, start_ms, sku, local_date, local_hour, lines, units, net_minor)
     SELECT store_id, currency, (extract(epoch FROM window_start) * 1000)::bigint, sku, local_date, local_hour, lines,
       units, net_minor
     FROM (${oracle('sku_sales_hourly')}) o`,
  ],
]

/** Rebuilds the aggregates in one transaction (the pool acts as sretl_owner). */
export async function rebuildAggregates(pool: Pool): Promise<RebuildResult> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // landers' landing transactions and publish cycles wait until this one commits
    await client.query(
      'LOCK TABLE sales_agg_minute, sales_hourly, store_rolling_1h, sku_sales_hourly, sku_sales_deltas, top_skus IN ACCESS EXCLUSIVE MODE',
    )
    await client.query(
      'TRUNCATE sales_agg_minute, sales_hourly, store_rolling_1h, sku_sales_hourly, top_skus',
    )
    await client.query("DELETE FROM agg_state WHERE name = 'rolling_horizon'")
    const rows: Record<string, number> = {}
    for (const [table, sql] of STEPS) rows[table] = (await client.query(sql)).rowCount ?? 0
    await client.query('COMMIT')
    return { rows }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
