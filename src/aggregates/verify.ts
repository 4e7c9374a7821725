/**
 * `sretl verify`: every aggregate table compared with its oracle, the SQL in sql/oracle/ that
 * recomputes the aggregate from sales_raw and the reference tables. A key the oracle has and the
 * table lacks is "missing", the other way round "unexpected", and a key in both with different
 * values "differs". Bookkeeping columns (version, final, correction, published_*) are not
 * compared: they describe the row's history, not its value.
 */
import { readFileSync } from 'node:fs'
import type { Pool } from '../platform/postgres.ts'

const MEASURES = ['lines', 'units', 'receipts', 'gross_minor', 'discount_minor', 'returns_minor', 'net_minor']

export interface OracleSpec {
  readonly aggregate: string
  readonly table: string
  readonly oracleFile: string
  readonly key: readonly string[]
  readonly compared: readonly string[]
  /**
   * True for a key whose row depends on work a publish cycle has not done yet (given the SQL of
   * each key column): such a key is "in flight", not a difference. The landing transaction keeps
   * sales_agg_minute and sales_hourly exact at every snapshot; the others follow one cycle later.
   */
  readonly inFlight?: (key: (column: string) => string) => string
}

const skuDeltasPending = (k: (column: string) => string): string =>
  `EXISTS (SELECT 1 FROM sku_sales_deltas x WHERE x.store_id = ${k('store_id')} AND x.currency = ${k('currency')}
    AND x.start_ms = (extract(epoch FROM ${k('window_start')}) * 1000)::bigint)`

export const ORACLES: readonly OracleSpec[] = [
  {
    aggregate: 'sales_minute',
    table: 'sales_agg_minute',
    oracleFile: 'sales_minute.sql',
    key: ['store_id', 'currency', 'window_start'],
    compared: ['window_end', ...MEASURES],
  },
  {
    aggregate: 'sales_hourly',
    table: 'sales_hourly',
    oracleFile: 'sales_hourly.sql',
    key: ['store_id', 'currency', 'window_start'],
    compared: ['window_end', 'time_zone', 'local_date', 'local_hour', 'utc_offset_minutes', ...MEASURES],
  },
  {
    aggregate: 'store_rolling_1h',
    table: 'store_rolling_1h',
    oracleFile: 'store_rolling_1h.sql',
    key: ['store_id', 'currency', 'window_end'],
    compared: ['window_start', ...MEASURES],
    // a minute of the boundary's window changed after the last cycle
    inFlight: (k) =>
      `EXISTS (SELECT 1 FROM sales_agg_minute x WHERE x.store_id = ${k('store_id')} AND x.currency = ${k('currency')}
        AND x.window_start >= ${k('window_end')} - interval '61 minutes' AND x.window_start < ${k('window_end')}
        AND x.published_version < x.version)`,
  },
  {
    aggregate: 'sku_sales_hourly',
    table: 'sku_sales_hourly',
    oracleFile: 'sku_sales_hourly.sql',
    key: ['store_id', 'currency', 'window_start', 'sku'],
    compared: ['local_date', 'local_hour', 'lines', 'units', 'net_minor'],
    inFlight: skuDeltasPending,
  },
  {
    aggregate: 'top_skus',
    table: 'top_skus',
    oracleFile: 'top_skus.sql',
    key: ['scope', 'store_id', 'currency', 'window_start', 'rank'],
    compared: [
      'window_end',
      'local_date',
      'local_hour',
      'sku',
      'name',
      'category',
      'lines',
      'units',
      'net_minor',
    ],
    inFlight: skuDeltasPending,
  },
]

export type DifferenceKind = 'missing' | 'unexpected' | 'differs'

export interface Difference {
  readonly kind: DifferenceKind
  /** The key columns' values (times in ISO 8601). */
  readonly key: Readonly<Record<string, string>>
  /** The compared columns that differ: [oracle, table]. */
  readonly columns: Readonly<Record<string, readonly [unknown, unknown]>>
}

export interface VerifyResult {
  readonly aggregate: string
  readonly table: string
  readonly tableRows: number
  readonly oracleRows: number
  readonly differenceCount: number
  /** Keys that differ only because a publish cycle has not yet processed a change (not counted). */
  readonly inFlightCount: number
  /** At most `limit` of them, in key order. */
  readonly differences: readonly Difference[]
}

const ORACLE_DIR = new URL('../../sql/oracle/', import.meta.url)

export function oracleSql(spec: OracleSpec): string {
  return readFileSync(new URL(spec.oracleFile, ORACLE_DIR), 'utf8').trim().replace(/;\s*$/, '')
}

/**
 * Windows before the end of the newest day that retention dropped from sales_raw (migration 0010)
 * have no complete source left; their aggregates are kept longer on purpose and are not compared.
 */
const COMPLETE_FROM = `COALESCE((SELECT value FROM agg_state WHERE name = 'sales_raw_complete_from'), '-infinity')`

const oracleRows = (spec: OracleSpec): string =>
  `SELECT * FROM (${oracleSql(spec)}) o0 WHERE o0.window_start >= ${COMPLETE_FROM}`

const tableRows = (spec: OracleSpec, columns: string): string =>
  `SELECT ${columns} FROM ${spec.table} WHERE window_start >= ${COMPLETE_FROM}`

function comparisonSql(spec: OracleSpec): string {
  const cols = [...spec.key, ...spec.compared]
  const tableCols = cols.map((c) => (c === 'currency' ? 'currency::text AS currency' : c)).join(', ')
  const on = spec.key.map((k) => `o.${k} = t.${k}`).join(' AND ')
  const first = spec.key[0] ?? 'store_id'
  const keyOut = spec.key
    .map((k) =>
      k.startsWith('window')
        ? `to_char(COALESCE(o.${k}, t.${k}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${k}`
        : `COALESCE(o.${k}, t.${k}) AS ${k}`,
    )
    .join(', ')
  const keyExpr = (c: string): string => `COALESCE(o.${c}, t.${c})`
  const inFlight = spec.inFlight ? spec.inFlight(keyExpr) : 'false'
  const both = (side: string): string =>
    `json_build_object(${spec.compared.map((c) => `'${c}', ${side}.${c}`).join(', ')})`
  return `WITH o AS (${oracleRows(spec)}), t AS (${tableRows(spec, tableCols)}),
  d AS (
    SELECT ${keyOut},
      CASE WHEN t.${first} IS NULL THEN 'missing' WHEN o.${first} IS NULL THEN 'unexpected' ELSE 'differs' END AS kind,
      ${both('o')} AS oracle, ${both('t')} AS actual, ${inFlight} AS in_flight
    FROM o FULL JOIN t ON ${on}
    WHERE o.${first} IS NULL OR t.${first} IS NULL
      OR (${spec.compared.map((c) => `o.${c}`).join(', ')}) IS DISTINCT FROM (${spec.compared.map((c) => `t.${c}`).join(', ')})
  )
  SELECT *, count(*) FILTER (WHERE NOT in_flight) OVER () AS total,
    count(*) FILTER (WHERE in_flight) OVER () AS in_flight_total,
    (SELECT count(*) FROM t) AS table_rows, (SELECT count(*) FROM o) AS oracle_rows
  FROM d ORDER BY in_flight, ${spec.key.map((k) => (k === 'store_id' || k === 'sku' ? `${k} COLLATE "C"` : k)).join(', ')} LIMIT $1`
}

const counts = (spec: OracleSpec): string =>
  `SELECT (SELECT count(*) FROM (${tableRows(spec, '1')}) t)::int AS table_rows, (SELECT count(*) FROM (${oracleRows(spec)}) o)::int AS oracle_rows`

/** Compares one aggregate table with its oracle; lists at most `limit` differences. */
export async function verifyAggregate(pool: Pool, spec: OracleSpec, limit: number): Promise<VerifyResult> {
  const result = await pool.query<Record<string, unknown>>(comparisonSql(spec), [limit])
  const first = result.rows[0]
  let tableRows = Number(first?.table_rows ?? 0)
  let oracleRows = Number(first?.oracle_rows ?? 0)
  if (!first) {
    const c = (await pool.query<{ table_rows: number; oracle_rows: number }>(counts(spec))).rows[0]
    tableRows = c?.table_rows ?? 0
    oracleRows = c?.oracle_rows ?? 0
  }
  const differences = result.rows
    .filter((row) => row.in_flight !== true)
    .map((row): Difference => {
      const oracle = (row.oracle ?? {}) as Record<string, unknown>
      const actual = (row.actual ?? {}) as Record<string, unknown>
      const columns: Record<string, readonly [unknown, unknown]> = {}
      for (const c of spec.compared) {
        if (JSON.stringify(oracle[c]) !== JSON.stringify(actual[c])) columns[c] = [oracle[c], actual[c]]
      }
      const key: Record<string, string> = {}
      for (const k of spec.key) {
        const v = row[k]
        key[k] = v instanceof Date ? v.toISOString() : String(v)
      }
      return { kind: row.kind as DifferenceKind, key, columns }
    })
  return {
    aggregate: spec.aggregate,
    table: spec.table,
    tableRows,
    oracleRows,
    differenceCount: Number(first?.total ?? 0),
    inFlightCount: Number(first?.in_flight_total ?? 0),
    differences,
  }
}

export async function verifyAggregates(
  pool: Pool,
  options: { limit: number; only?: readonly string[] },
): Promise<VerifyResult[]> {
  const results: VerifyResult[] = []
  for (const spec of ORACLES) {
    if (options.only && options.only.length > 0 && !options.only.includes(spec.aggregate)) continue
    results.push(await verifyAggregate(pool, spec, options.limit))
  }
  return results
}
