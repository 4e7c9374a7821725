/**
 * The aggregates' part of the landing transaction (ADR 0040): the batch's deltas, pre-aggregated
 * in memory from exactly the rows that were new, upserted into sales_agg_minute and sales_hourly
 * (`x = t.x + EXCLUDED.x`, `version + 1`) in primary-key order and always in the same table
 * order, so landers that overlap in a rebalance lock rows in one order; the per-SKU deltas are
 * appended to sku_sales_deltas with COPY and folded by the publish cycle. A row changed after its
 * window was final is flagged `correction`; a new row of a window already past its grace period
 * is inserted final and flagged as a correction too.
 */
import type { Amount, BatchDeltas, StoreDelta } from '../../domain/aggregates.ts'
import { MEASURES } from '../../domain/aggregates.ts'
import type { PoolClient } from '../../platform/postgres.ts'
import { copyFrom } from '../../platform/copy-stream.ts'

/** The SKU deltas are appended; the publish cycle folds them into sku_sales_hourly (ADR 0040). */
const SKU_COPY_SQL =
  'COPY sku_sales_deltas (store_id, currency, start_ms, sku, local_date, local_hour, lines, units, net_minor) FROM STDIN'

/** ms since the epoch → timestamptz, exactly (no floating point). */
export const TS = (param: string): string =>
  `(timestamptz 'epoch' + ${param}::bigint * interval '1 millisecond')`

const amounts = (values: readonly Amount[]): string[] => values.map(String)

export interface Correction {
  readonly aggregate: 'sales_minute' | 'sales_hourly'
  /** watermark − window end, ms. */
  readonly lateMs: number
}

export interface DeltaContext {
  readonly graceMs: number
  /** The watermark this lander last read; undefined before the first publish cycle. */
  readonly watermark: number | undefined
}

const measureColumns = MEASURES.join(', ')
const measureUpdates = MEASURES.map((m) => `${m} = t.${m} + EXCLUDED.${m}`).join(', ')

function finalExpr(endExpr: string): string {
  return `COALESCE(${endExpr} + $GRACE::bigint * interval '1 millisecond' <= ${TS('$WM')}, false)`
}

function bind(sql: string, params: unknown[], ctx: DeltaContext): { text: string; values: unknown[] } {
  const grace = params.length + 1
  const wm = params.length + 2
  return {
    text: sql.replaceAll('$GRACE', `$${grace}`).replaceAll('$WM', `$${wm}`),
    values: [...params, ctx.graceMs, ctx.watermark ?? null],
  }
}

/** The late-correction query tail: corrected rows' lateness against the watermark. */
const CORRECTED = `SELECT (extract(epoch FROM (${TS('$WM')} - window_end)) * 1000)::bigint AS late_ms FROM up WHERE final`

function storeArrays(deltas: readonly StoreDelta[]): unknown[] {
  return [
    deltas.map((d) => d.storeId),
    deltas.map((d) => d.currency),
    deltas.map((d) => d.windowStart),
    ...MEASURES.map((m) => amounts(deltas.map((d) => d.measures[m]))),
  ]
}

const MEASURE_PARAMS = MEASURES.map((m, i) => `$${4 + i}::bigint[]`).join(', ')

const MINUTE_SQL = `WITH d AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], ${MEASURE_PARAMS})
    AS d(store_id, currency, start_ms, ${measureColumns})
), up AS (
  INSERT INTO sales_agg_minute AS t (store_id, currency, window_start, window_end, ${measureColumns}, final, correction)
  SELECT store_id, currency, ${TS('start_ms')}, ${TS('start_ms')} + interval '1 minute', ${measureColumns},
    ${finalExpr(`${TS('start_ms')} + interval '1 minute'`)}, ${finalExpr(`${TS('start_ms')} + interval '1 minute'`)}
  FROM d
  ON CONFLICT (store_id, currency, window_start) DO UPDATE SET ${measureUpdates},
    version = t.version + 1, correction = t.correction OR t.final, updated_at = now()
  RETURNING t.final, t.window_end
) ${CORRECTED}`

const HOURLY_PARAMS = `$${4 + MEASURES.length}::text[], $${5 + MEASURES.length}::date[], $${6 + MEASURES.length}::smallint[], $${7 + MEASURES.length}::smallint[]`

const HOURLY_SQL = `WITH d AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], ${MEASURE_PARAMS}, ${HOURLY_PARAMS})
    AS d(store_id, currency, start_ms, ${measureColumns}, time_zone, local_date, local_hour, utc_offset_minutes)
), up AS (
  INSERT INTO sales_hourly AS t (store_id, currency, window_start, window_end, time_zone, local_date, local_hour,
    utc_offset_minutes, ${measureColumns}, final, correction)
  SELECT store_id, currency, ${TS('start_ms')}, ${TS('start_ms')} + interval '1 hour', time_zone, local_date, local_hour,
    utc_offset_minutes, ${measureColumns},
    ${finalExpr(`${TS('start_ms')} + interval '1 hour'`)}, ${finalExpr(`${TS('start_ms')} + interval '1 hour'`)}
  FROM d
  ON CONFLICT (store_id, currency, window_start) DO UPDATE SET ${measureUpdates},
    version = t.version + 1, correction = t.correction OR t.final, updated_at = now()
  RETURNING t.final, t.window_end
) ${CORRECTED}`

const WATERMARK_SQL = `INSERT INTO agg_partition_watermarks AS t (topic, partition, max_event_time)
  SELECT $1, p, ${TS('ms')} FROM unnest($2::int[], $3::bigint[]) AS u(p, ms) ORDER BY p
  ON CONFLICT (topic, partition) DO UPDATE SET
    max_event_time = GREATEST(t.max_event_time, EXCLUDED.max_event_time), updated_at = now()`

async function lateRows(
  client: PoolClient,
  sql: string,
  params: unknown[],
  ctx: DeltaContext,
): Promise<number[]> {
  const result = await client.query<{ late_ms: string }>(bind(sql, params, ctx))
  return result.rows.map((r) => Number(r.late_ms))
}

/** Upserts one batch's deltas; returns the corrections it made (rows changed after final). */
export async function writeDeltas(
  client: PoolClient,
  deltas: BatchDeltas,
  ctx: DeltaContext,
): Promise<Correction[]> {
  const corrections: Correction[] = []
  if (deltas.minutes.length > 0) {
    for (const lateMs of await lateRows(client, MINUTE_SQL, storeArrays(deltas.minutes), ctx)) {
      corrections.push({ aggregate: 'sales_minute', lateMs })
    }
  }
  if (deltas.hours.length > 0) {
    const hours = deltas.hours
    const params = [
      ...storeArrays(hours),
      hours.map((d) => d.timeZone ?? 'UTC'),
      hours.map((d) => d.hour?.localDate),
      hours.map((d) => d.hour?.localHour),
      hours.map((d) => d.hour?.offsetMinutes),
    ]
    for (const lateMs of await lateRows(client, HOURLY_SQL, params, ctx)) {
      corrections.push({ aggregate: 'sales_hourly', lateMs })
    }
  }
  if (deltas.skus.length > 0) {
    // store ids, SKUs and currencies match the contract's patterns: nothing to escape for COPY
    await copyFrom(
      client,
      SKU_COPY_SQL,
      deltas.skus.map(
        (d) =>
          `${d.storeId}\t${d.currency}\t${d.windowStart}\t${d.sku}\t${d.localDate}\t${d.localHour}\t${d.measures.lines}\t${d.measures.units}\t${d.measures.net_minor}\n`,
      ),
    )
  }
  return corrections
}

/** Raises the per-partition high-water marks of admissible event time. */
export async function raisePartitionWatermarks(
  client: PoolClient,
  topic: string,
  maxByPartition: ReadonlyMap<number, number>,
): Promise<void> {
  if (maxByPartition.size === 0) return
  const entries = [...maxByPartition].sort(([a], [b]) => a - b)
  await client.query(WATERMARK_SQL, [topic, entries.map(([p]) => p), entries.map(([, ms]) => ms)])
}
