/**
 * The statements of the publish cycle (cycle.ts). Times travel as ms since the epoch (bigint)
 * and are turned into timestamptz exactly; every limit is a parameter.
 */
import { MEASURES } from '../../domain/aggregates.ts'
import { selectList, type AggregateTable } from './tables.ts'
import { TS } from './write-deltas.ts'

/** Any constant: one publish cycle at a time across every lander of the database. */
export const CYCLE_LOCK_KEY = 7_235_005

export const MS = (expr: string): string => `(extract(epoch FROM ${expr}) * 1000)::bigint::text`

export const WATERMARK_INPUTS = `SELECT
  (SELECT ${MS('value')} FROM agg_state WHERE name = 'watermark') AS current,
  (SELECT ${MS('value')} FROM agg_state WHERE name = 'rolling_horizon') AS horizon,
  (SELECT ${MS('min(max_event_time)')} FROM agg_partition_watermarks
    WHERE topic = $1 AND updated_at > now() - $2::bigint * interval '1 millisecond') AS active_min,
  (SELECT count(*)::int FROM agg_partition_watermarks WHERE topic = $1) AS partitions,
  (SELECT ${MS('min(window_start)')} FROM sales_agg_minute) AS first_minute,
  (SELECT ${MS('min(a.window_start)')} FROM sales_agg_minute a, agg_state h
    WHERE h.name = 'rolling_horizon' AND a.window_start >= h.value - interval '61 minutes') AS next_minute,
  ${MS('now()')} AS now`

export const READ_STATE = `SELECT ${MS('value')} AS value FROM agg_state WHERE name = $1`

export const SET_STATE = `INSERT INTO agg_state (name, value) VALUES ($1, ${TS('$2')})
  ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`

const keyMatch = (t: AggregateTable, a: string, b: string): string =>
  t.key.map(([c]) => `${a}.${c} = ${b}.${c}`).join(' AND ')

/** Marks up to $2 windows final whose end + grace ($3 ms) is at or behind the watermark ($1). */
export function finalizeSql(t: AggregateTable): string {
  const keys = t.key.map(([c]) => c).join(', ')
  return `WITH c AS (
    SELECT ${keys} FROM ${t.table}
    WHERE NOT final AND window_end + $3::bigint * interval '1 millisecond' <= ${TS('$1')}
    ORDER BY window_end LIMIT $2 FOR UPDATE SKIP LOCKED
  )
  UPDATE ${t.table} AS t SET final = true, version = t.version + 1, updated_at = now()
  FROM c WHERE ${keyMatch(t, 't', 'c')}`
}

export function pendingSql(t: AggregateTable): string {
  const order = t.key.some(([c]) => c === 'window_start') ? 'window_start' : 'window_end'
  return `SELECT ${selectList(t)} FROM ${t.table} WHERE published_version < version ORDER BY ${order} LIMIT $1`
}

/**
 * Confirms published versions: one array per key column ($1…), then the versions, then the
 * acknowledgement time (ms, the cycle's clock — the same clock its freshness is measured on).
 */
export function confirmSql(t: AggregateTable): string {
  const n = t.key.length
  const unnestArgs = t.key
    .map(([, type], i) => `$${i + 1}::${type === 'timestamptz' ? 'bigint' : type}[]`)
    .concat(`$${n + 1}::bigint[]`)
    .join(', ')
  const names = t.key.map(([c]) => c).join(', ')
  const match = t.key
    .map(([c, type]) => (type === 'timestamptz' ? `t.${c} = ${TS(`u.${c}`)}` : `t.${c} = u.${c}`))
    .join(' AND ')
  return `WITH u AS (SELECT * FROM unnest(${unnestArgs}) AS u(${names}, v)),
  l AS (SELECT t.ctid AS id, u.v FROM ${t.table} t JOIN u ON ${match} FOR UPDATE OF t SKIP LOCKED)
  UPDATE ${t.table} AS t SET published_version = GREATEST(t.published_version, l.v), published_at = ${TS(`$${n + 2}`)}
  FROM l WHERE t.ctid = l.id`
}

const sums = MEASURES.map((m) => `COALESCE(sum(a.${m}), 0) AS ${m}`).join(', ')
const measureList = MEASURES.join(', ')
const changed = `(${MEASURES.map((m) => `t.${m}`).join(', ')}) IS DISTINCT FROM (${MEASURES.map((m) => `EXCLUDED.${m}`).join(', ')})`

/**
 * The end of every store_rolling_1h computation: upserts the rows of `from` (boundary column
 * `at`, the measures) in key order, writes only changed values, and returns the boundaries that
 * were final and changed (the late corrections). $4 horizon before, $6 grace, $7 watermark.
 */
export function rollingUpsert(from: string, at: string): string {
  return `up AS (
  INSERT INTO store_rolling_1h AS t (store_id, currency, window_end, window_start, ${measureList}, final, correction)
  SELECT store_id, currency, ${at}, ${at} - interval '60 minutes', ${measureList},
    COALESCE(${at} + $6::bigint * interval '1 millisecond' <= ${TS('$7')}, false),
    COALESCE(${at} <= ${TS('$4')} AND ${at} + $6::bigint * interval '1 millisecond' <= ${TS('$7')}, false)
  FROM ${from}
  ORDER BY store_id COLLATE "C", currency, ${at}
  ON CONFLICT (store_id, currency, window_end) DO UPDATE SET
    ${MEASURES.map((m) => `${m} = EXCLUDED.${m}`).join(', ')},
    version = t.version + 1, correction = t.correction OR t.final, updated_at = now()
  WHERE ${changed}
  RETURNING t.final, t.correction, t.window_end, (t.xmax = 0) AS inserted
)
SELECT ${MS('window_end')} AS window_end FROM up WHERE final AND (correction OR NOT inserted)`
}

/**
 * store_rolling_1h for the boundaries the cycle must (re)compute:
 * - of every changed minute $3 ($1 store, $2 currency): the boundaries after it, up to the
 *   horizon ($5), at most 61 minutes on (the 61st is the first whose window no longer holds it);
 * - the boundaries the horizon advances over, ($4, $5], of every store with a minute in
 *   [boundary − 61 min, boundary).
 * Each value is the sum of the minutes in [boundary − 60 min, boundary). $6 grace, $7 watermark.
 * Rows are only written when a value changed.
 */
export const ROLLING_SQL = `WITH pending AS (
  SELECT store_id, currency, ${TS('ms')} AS m FROM unnest($1::text[], $2::bpchar[], $3::bigint[]) AS p(store_id, currency, ms)
), b AS (
  SELECT p.store_id, p.currency, gs AS boundary FROM pending p,
    generate_series(p.m + interval '1 minute', LEAST(p.m + interval '61 minutes', ${TS('$5')}), interval '1 minute') gs
  UNION
  SELECT a.store_id, a.currency, gs FROM sales_agg_minute a,
    generate_series(GREATEST(a.window_start + interval '1 minute', ${TS('$4')} + interval '1 minute'),
      LEAST(a.window_start + interval '61 minutes', ${TS('$5')}), interval '1 minute') gs
  WHERE a.window_start >= ${TS('$4')} - interval '61 minutes' AND a.window_start < ${TS('$5')}
), v AS (
  SELECT b.store_id, b.currency, b.boundary, ${sums}
  FROM b LEFT JOIN sales_agg_minute a ON a.store_id = b.store_id AND a.currency = b.currency
    AND a.window_start >= b.boundary - interval '60 minutes' AND a.window_start < b.boundary
  GROUP BY b.store_id, b.currency, b.boundary
), ${rollingUpsert('v', 'boundary')}`

/**
 * top_skus of the groups ($1 store or '*', $2 currency, $3 hour start ms): the 10 SKUs with the
 * highest net revenue, ties by units then SKU id (byte order), from sku_sales_hourly, with the
 * product's name and category. $4 grace, $5 watermark. Only changed ranks are written.
 */
export const TOP_SKUS_SQL = `WITH g AS (
  SELECT DISTINCT store_id, currency, ${TS('ms')} AS window_start
  FROM unnest($1::text[], $2::bpchar[], $3::bigint[]) AS g(store_id, currency, ms)
), ranked AS (
  SELECT s.store_id, s.currency, s.window_start, s.sku, s.local_date, s.local_hour, s.lines, s.units, s.net_minor,
    row_number() OVER (PARTITION BY s.store_id, s.currency, s.window_start
      ORDER BY s.net_minor DESC, s.units DESC, s.sku COLLATE "C") AS rank,
    EXISTS (SELECT 1 FROM top_skus x WHERE x.store_id = g.store_id AND x.currency = g.currency
      AND x.window_start = g.window_start AND x.scope = CASE WHEN g.store_id = '*' THEN 'all' ELSE 'store' END) AS had_rows
  FROM g JOIN sku_sales_hourly s ON s.store_id = g.store_id AND s.currency = g.currency AND s.window_start = g.window_start
), up AS (
  INSERT INTO top_skus AS t (scope, store_id, currency, window_start, window_end, rank, local_date, local_hour, sku, name,
    category, lines, units, net_minor, final, correction)
  SELECT CASE WHEN r.store_id = '*' THEN 'all' ELSE 'store' END, r.store_id, r.currency, r.window_start,
    r.window_start + interval '1 hour', r.rank, r.local_date, r.local_hour, r.sku, p.name, p.category, r.lines, r.units,
    r.net_minor,
    COALESCE(r.window_start + interval '1 hour' + $4::bigint * interval '1 millisecond' <= ${TS('$5')}, false),
    COALESCE(r.had_rows AND r.window_start + interval '1 hour' + $4::bigint * interval '1 millisecond' <= ${TS('$5')}, false)
  FROM ranked r LEFT JOIN products p ON p.sku = r.sku
  WHERE r.rank <= 10
  ORDER BY 1, r.store_id COLLATE "C", r.currency, r.window_start, r.rank
  ON CONFLICT (scope, store_id, currency, window_start, rank) DO UPDATE SET
    sku = EXCLUDED.sku, name = EXCLUDED.name, category = EXCLUDED.category, lines = EXCLUDED.lines,
    units = EXCLUDED.units, net_minor = EXCLUDED.net_minor,
    version = t.version + 1, correction = t.correction OR t.final, updated_at = now()
  WHERE (t.sku, t.name, t.category, t.lines, t.units, t.net_minor)
    IS DISTINCT FROM (EXCLUDED.sku, EXCLUDED.name, EXCLUDED.category, EXCLUDED.lines, EXCLUDED.units, EXCLUDED.net_minor)
  RETURNING t.final, t.correction, t.window_end, (t.xmax = 0) AS inserted
)
SELECT ${MS('window_end')} AS window_end FROM up WHERE final AND (correction OR NOT inserted)`

/**
 * Folds up to $1 appended SKU deltas into sku_sales_hourly and deletes them, in the cycle's
 * transaction (exactly once); returns the (scope, currency, hour) groups whose sums changed.
 */
export const FOLD_SKU_SQL = `WITH d AS (
  DELETE FROM sku_sales_deltas WHERE ctid = ANY (ARRAY(SELECT ctid FROM sku_sales_deltas LIMIT $1))
  RETURNING *
), g AS (
  SELECT store_id, currency, start_ms, sku, min(local_date) AS local_date, min(local_hour) AS local_hour,
    sum(lines) AS lines, sum(units) AS units, sum(net_minor) AS net_minor, count(*) AS n
  FROM d GROUP BY store_id, currency, start_ms, sku
), up AS (
  INSERT INTO sku_sales_hourly AS t (store_id, currency, window_start, sku, local_date, local_hour, lines, units, net_minor)
  SELECT store_id, currency, ${TS('start_ms')}, sku, local_date, local_hour, lines, units, net_minor
  FROM g ORDER BY store_id COLLATE "C", currency, start_ms, sku COLLATE "C"
  ON CONFLICT (store_id, currency, window_start, sku) DO UPDATE SET
    lines = t.lines + EXCLUDED.lines, units = t.units + EXCLUDED.units, net_minor = t.net_minor + EXCLUDED.net_minor
)
SELECT store_id, currency::text AS currency, start_ms::text AS start_ms, sum(n)::int AS deltas
FROM g GROUP BY store_id, currency, start_ms`

export const UNPUBLISHED_SQL = `SELECT
  (SELECT count(*)::int FROM sku_sales_deltas) AS sku_sales_deltas,
  (SELECT count(*)::int FROM sales_agg_minute WHERE published_version < version) AS sales_minute,
  (SELECT count(*)::int FROM sales_hourly WHERE published_version < version) AS sales_hourly,
  (SELECT count(*)::int FROM store_rolling_1h WHERE published_version < version) AS store_rolling_1h,
  (SELECT count(*)::int FROM top_skus WHERE published_version < version) AS top_skus`
