/**
 * The four published aggregates: their tables, keys, columns and how a row becomes the value of
 * its compacted topic (docs/aggregates.md, "Topics").
 */
import { MEASURES } from '../../domain/aggregates.ts'

export const AGGREGATES = ['sales_minute', 'sales_hourly', 'store_rolling_1h', 'top_skus'] as const
export type AggregateName = (typeof AGGREGATES)[number]

export interface AggregateTable {
  readonly name: AggregateName
  readonly table: string
  /** Primary-key columns with their SQL types, in key order. */
  readonly key: readonly (readonly [column: string, type: string])[]
  /** Value columns besides the key and the window (as selected for the topic value). */
  readonly columns: readonly string[]
}

const META = ['version', 'final', 'correction']

export const TABLES: Readonly<Record<AggregateName, AggregateTable>> = {
  sales_minute: {
    name: 'sales_minute',
    table: 'sales_agg_minute',
    key: [
      ['store_id', 'text'],
      ['currency', 'bpchar'],
      ['window_start', 'timestamptz'],
    ],
    columns: [...MEASURES, ...META],
  },
  sales_hourly: {
    name: 'sales_hourly',
    table: 'sales_hourly',
    key: [
      ['store_id', 'text'],
      ['currency', 'bpchar'],
      ['window_start', 'timestamptz'],
    ],
    columns: ['time_zone', 'local_date', 'local_hour', 'utc_offset_minutes', ...MEASURES, ...META],
  },
  store_rolling_1h: {
    name: 'store_rolling_1h',
    table: 'store_rolling_1h',
    key: [
      ['store_id', 'text'],
      ['currency', 'bpchar'],
      ['window_end', 'timestamptz'],
    ],
    columns: [...MEASURES, ...META],
  },
  top_skus: {
    name: 'top_skus',
    table: 'top_skus',
    key: [
      ['scope', 'text'],
      ['store_id', 'text'],
      ['currency', 'bpchar'],
      ['window_start', 'timestamptz'],
      ['rank', 'smallint'],
    ],
    columns: ['local_date', 'local_hour', 'sku', 'name', 'category', 'lines', 'units', 'net_minor', ...META],
  },
}

/** Columns that PostgreSQL returns as text and the topic value carries as JSON numbers. */
const NUMERIC = new Set([
  ...MEASURES,
  'version',
  'local_hour',
  'utc_offset_minutes',
  'rank',
  'lines',
  'units',
])

/** A row as the publish cycle reads it: times as ms, bigints and dates as text. */
export type AggregateRow = Record<string, string | number | boolean | null>

/** The select list of a pending row: every column of the topic value plus the bookkeeping. */
export function selectList(t: AggregateTable): string {
  const cols = new Set([...t.key.map(([c]) => c), 'window_start', 'window_end', ...t.columns])
  return [...cols]
    .map((c) => {
      if (c === 'window_start' || c === 'window_end') {
        return `(extract(epoch FROM ${c}) * 1000)::bigint::text AS ${c}`
      }
      if (c === 'local_date') return 'local_date::text AS local_date'
      if (c === 'currency') return 'currency::text AS currency'
      return c
    })
    .concat('(extract(epoch FROM published_at) * 1000)::bigint::text AS published_at')
    .join(', ')
}

function jsonValue(column: string, value: string | number | boolean | null): unknown {
  if (value === null || typeof value !== 'string') return value
  if (column === 'window_start' || column === 'window_end') return new Date(Number(value)).toISOString()
  if (NUMERIC.has(column) || column === 'rank') {
    const n = Number(value)
    return Number.isSafeInteger(n) ? n : value
  }
  return value
}

/** The compacted topic's key: the aggregate's primary key, `|`-separated (times in ISO 8601). */
export function topicKey(t: AggregateTable, row: AggregateRow): string {
  return t.key.map(([c]) => String(jsonValue(c, row[c] ?? null))).join('|')
}

/** The topic value: the key columns, the window, the measures, version, final, correction. */
export function topicValue(t: AggregateTable, row: AggregateRow): Record<string, unknown> {
  const value: Record<string, unknown> = { aggregate: t.name }
  const cols = new Set([...t.key.map(([c]) => c), 'window_start', 'window_end', ...t.columns])
  for (const c of cols) value[c] = jsonValue(c, row[c] ?? null)
  return value
}
