/**
 * Daily partitions of sales_raw: created ahead (and back, for backfills) by the owner role,
 * through the SQL function of migration 0003, which also moves matching rows out of the
 * default partition.
 */
import type { Queryable } from '../platform/sql.ts'

export interface CreatedPartition {
  readonly name: string
  readonly day: string
  readonly movedRows: number
}

/** YYYY-MM-DD of a UTC day `offsetDays` from `now`. */
export function utcDay(now: Date, offsetDays = 0): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays))
  return d.toISOString().slice(0, 10)
}

/**
 * Creates the missing daily partitions for [fromDay, toDay]; the connection must act as
 * sretl_owner or sretl_maintainer (through the owner function of migration 0008).
 */
export async function ensureSalesRawPartitions(
  db: Queryable,
  fromDay: string,
  toDay: string,
): Promise<CreatedPartition[]> {
  const { rows } = await db.query<{ partition_name: string; day: Date | string; moved_rows: string }>(
    'SELECT partition_name, day::text AS day, moved_rows FROM sretl_maintain_create_partitions($1::date, $2::date)',
    [fromDay, toDay],
  )
  return rows.map((r) => ({ name: r.partition_name, day: String(r.day), movedRows: Number(r.moved_rows) }))
}

export interface PartitionInfo {
  readonly name: string
  readonly isDefault: boolean
  /** Lower bound (inclusive) and upper bound (exclusive) as ISO strings; absent for the default. */
  readonly from?: string
  readonly to?: string
}

export async function listSalesRawPartitions(db: Queryable): Promise<PartitionInfo[]> {
  const { rows } = await db.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'sales_raw'::regclass
      ORDER BY c.relname`,
  )
  return rows.map((r) => {
    const match = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound)
    return match
      ? {
          name: r.name,
          isDefault: false,
          from: new Date(match[1] ?? '').toISOString(),
          to: new Date(match[2] ?? '').toISOString(),
        }
      : { name: r.name, isDefault: true }
  })
}

export async function countDefaultPartitionRows(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM sales_raw_default')
  return Number(rows[0]?.n ?? 0)
}
