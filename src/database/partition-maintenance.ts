/**
 * The life cycle of sales_raw's daily partitions, shared by `sretl maintain` and the lander's
 * schedule: create the days around today (ahead, and back for backfills), give every day found in
 * the default partition its own partition (which moves those rows out of it), drop days older
 * than the retention, and count what is left in the default partition. Runs as sretl_owner or
 * sretl_maintainer (the owner functions of migration 0008 do the DDL and the audit rows); an
 * advisory lock keeps two runs (two landers, a lander and the CLI) from colliding.
 *
 * Retention detaches without CONCURRENTLY: PostgreSQL refuses DETACH … CONCURRENTLY while the
 * table has a default partition (ADR 0013), so the detach and drop take a short exclusive lock,
 * bounded by `lockTimeoutMs`, and the next run retries a day it could not drop.
 */
import pg from 'pg'
import { errorMessage, SretlError } from '../platform/errors.ts'
import { sleep } from '../platform/lifecycle.ts'
import {
  countDefaultPartitionRows,
  ensureSalesRawPartitions,
  listSalesRawPartitions,
  utcDay,
  type CreatedPartition,
} from './partitions.ts'
import type { Pool, PoolClient } from '../platform/postgres.ts'
import type { MaintenanceSettings } from './maintenance-settings.ts'

export interface DroppedPartition {
  readonly name: string
  readonly day: string
  /** The planner's estimate (reltuples) just before the drop. */
  readonly estimatedRows: number
}

export interface MaintenanceResult {
  /** False when another run held the lock (nothing was done). */
  readonly ran: boolean
  readonly created: readonly CreatedPartition[]
  readonly dropped: readonly DroppedPartition[]
  /** Days that could not be created or dropped this time (lock timeout), with the reason. */
  readonly failures: readonly { readonly day: string; readonly action: string; readonly error: string }[]
  /** Rows still in the default partition after the run. */
  readonly defaultRows: number
  /** Days found in the default partition that are older than the retention (left there). */
  readonly expiredDefaultDays: readonly string[]
  /** Entries of the event_ids ledger removed (older than EVENT_ID_RETENTION_DAYS). */
  readonly prunedEventIds: number
  /** Rows of audit_log removed (older than AUDIT_RETENTION_DAYS). */
  readonly prunedAuditRows: number
  /** Rows removed per aggregate table (windows older than AGGREGATE_RETENTION_DAYS). */
  readonly prunedAggregates: Readonly<Record<string, number>>
}

export interface MaintenanceOptions {
  readonly settings: MaintenanceSettings
  readonly now: Date
  /** Who runs it, for the audit log (e.g. "lander", "cli:alice"). */
  readonly actor: string
  /** How long to wait for another run to finish (the CLI) instead of skipping at once (the schedule). */
  readonly waitMs?: number
}

/** Arbitrary constant identifying the maintenance lock among advisory locks. */
const MAINTENANCE_LOCK_KEY = 731_2026_02
/** At most this many backfill days are given partitions per run (bounds one run's work). */
const MAX_BACKFILL_DAYS_PER_RUN = 400

/** One maintenance run; `pool` must act as sretl_owner or sretl_maintainer. */
export async function maintainSalesRawPartitions(
  pool: Pool,
  options: MaintenanceOptions,
): Promise<MaintenanceResult> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query(`SET lock_timeout = ${Math.round(options.settings.lockTimeoutMs)}`)
    const deadline = Date.now() + (options.waitMs ?? 0)
    let locked = await tryLock(client)
    while (!locked && Date.now() < deadline) {
      await sleep(250)
      locked = await tryLock(client)
    }
    if (!locked) {
      return {
        ran: false,
        created: [],
        dropped: [],
        failures: [],
        defaultRows: 0,
        expiredDefaultDays: [],
        prunedEventIds: 0,
        prunedAuditRows: 0,
        prunedAggregates: {},
      }
    }
    try {
      return await runLocked(client, options)
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MAINTENANCE_LOCK_KEY])
    }
  } catch (err) {
    broken = true
    if (err instanceof SretlError) throw err
    throw new SretlError(
      'PARTITION_MAINTENANCE_FAILED',
      `partition maintenance failed: ${errorMessage(err)}`,
      {
        cause: err,
      },
    )
  } finally {
    client.release(broken)
  }
}

async function runLocked(client: PoolClient, options: MaintenanceOptions): Promise<MaintenanceResult> {
  const failures: Failure[] = []
  const plan = partitionPlan(options.now, options.settings, await daysInDefaultPartition(client))
  const created = await createDays(client, options.actor, plan.create, failures)
  const dropped =
    plan.cutoff === undefined ? [] : await dropExpiredDays(client, options, plan.cutoff, failures)
  const pruned = await pruneExpiredRows(client, options, failures)
  const defaultRows = await countDefaultPartitionRows(client)
  return {
    ran: true,
    created,
    dropped,
    failures,
    defaultRows,
    expiredDefaultDays: plan.expiredDefaultDays,
    ...pruned,
  }
}

type Failure = { day: string; action: string; error: string }

export interface PartitionPlan {
  /** The first day retention keeps (undefined: everything is kept). */
  readonly cutoff: string | undefined
  /** Days to give a partition, oldest first. */
  readonly create: readonly string[]
  /** Days with rows in the default partition that retention would drop: left where they are. */
  readonly expiredDefaultDays: readonly string[]
}

/** Which days a run gives partitions, given the days found in the default partition. */
export function partitionPlan(
  now: Date,
  settings: MaintenanceSettings,
  defaultDays: readonly string[],
): PartitionPlan {
  const cutoff = settings.retentionDays > 0 ? utcDay(now, -settings.retentionDays) : undefined
  // the window around today, one day per statement so one lock timeout costs one day only
  const windowDays = dayRange(utcDay(now, -settings.daysBack), utcDay(now, settings.daysAhead))
  // backfills: every day that has rows in the default partition, unless retention would drop it
  const expiredDefaultDays = cutoff === undefined ? [] : defaultDays.filter((d) => d < cutoff)
  const backfillDays = defaultDays.filter((d) => cutoff === undefined || d >= cutoff)
  const create = [...new Set([...windowDays, ...backfillDays.slice(0, MAX_BACKFILL_DAYS_PER_RUN)])].sort()
  return { cutoff, create, expiredDefaultDays }
}

async function createDays(
  client: PoolClient,
  actor: string,
  days: readonly string[],
  failures: Failure[],
): Promise<CreatedPartition[]> {
  const created: CreatedPartition[] = []
  for (const day of days) {
    try {
      const made = await inTransaction(client, async () => {
        const result = await ensureSalesRawPartitions(client, day, day)
        for (const p of result.filter((r) => r.movedRows > 0)) {
          await audit(client, actor, 'partition.create', p.name, {
            day: p.day,
            movedRows: p.movedRows,
          })
        }
        return result
      })
      created.push(...made)
    } catch (err) {
      failures.push({ day, action: 'create', error: errorMessage(err) })
    }
  }
  return created
}

async function dropExpiredDays(
  client: PoolClient,
  options: MaintenanceOptions,
  cutoff: string,
  failures: Failure[],
): Promise<DroppedPartition[]> {
  const dropped: DroppedPartition[] = []
  const partitions = await listSalesRawPartitions(client)
  for (const p of partitions) {
    if (p.isDefault || p.to === undefined || p.from === undefined) continue
    // drop only days that end on or before the cutoff day's start: every row is older
    if (p.to.slice(0, 10) > cutoff) continue
    const day = p.from.slice(0, 10)
    try {
      const estimatedRows = await inTransaction(client, async () => {
        // the owner function checks that the partition is a day entirely before the cutoff
        const estimate = await client.query<{ n: string }>(
          'SELECT sretl_maintain_drop_partition($1::regclass, $2::date)::text AS n',
          [pg.escapeIdentifier(p.name), cutoff],
        )
        const rows = Number(estimate.rows[0]?.n ?? 0)
        await audit(client, options.actor, 'partition.drop', p.name, {
          day,
          from: p.from,
          to: p.to,
          estimatedRows: rows,
          retentionDays: options.settings.retentionDays,
        })
        return rows
      })
      dropped.push({ name: p.name, day, estimatedRows })
    } catch (err) {
      failures.push({ day, action: 'drop', error: errorMessage(err) })
    }
  }
  return dropped
}

/** The ledger, the audit log and the aggregates, each by its own retention; a failure costs that one only. */
async function pruneExpiredRows(
  client: PoolClient,
  options: MaintenanceOptions,
  failures: Failure[],
): Promise<Pick<MaintenanceResult, 'prunedEventIds' | 'prunedAuditRows' | 'prunedAggregates'>> {
  const { settings, now } = options
  const daysAgo = (days: number): Date => new Date(now.getTime() - days * 86_400_000)
  const prune = async <T>(
    days: number,
    action: string,
    empty: T,
    fn: (before: Date) => Promise<T>,
  ): Promise<T> => {
    if (days <= 0) return empty
    try {
      return await fn(daysAgo(days))
    } catch (err) {
      failures.push({ day: utcDay(now, -days), action, error: errorMessage(err) })
      return empty
    }
  }
  const prunedEventIds = await prune(settings.eventIdRetentionDays, 'prune event_ids', 0, async (before) => {
    const removed = await pruneEventIds(client, before)
    if (removed > 0) {
      await audit(client, options.actor, 'retention.event_ids', 'event_ids', {
        before: before.toISOString(),
        removedRows: removed,
      })
    }
    return removed
  })
  const prunedAuditRows = await prune(settings.auditRetentionDays, 'prune audit_log', 0, async (before) => {
    const { rows } = await client.query<{ n: string }>(
      'SELECT sretl_maintain_prune_audit($1, $2)::text AS n',
      [options.actor, before],
    )
    return Number(rows[0]?.n ?? 0)
  })
  const prunedAggregates = await prune(
    settings.aggregateRetentionDays,
    'prune aggregates',
    {},
    async (before) => {
      const { rows } = await client.query<{ table_name: string; removed_rows: string }>(
        'SELECT table_name, removed_rows::text FROM sretl_maintain_prune_aggregates($1, $2)',
        [options.actor, before],
      )
      return Object.fromEntries(rows.map((r) => [r.table_name, Number(r.removed_rows)]))
    },
  )
  return { prunedEventIds, prunedAuditRows, prunedAggregates }
}

/** Rows per DELETE and DELETEs per run when pruning the ledger (short transactions, bounded work). */
const PRUNE_BATCH = 50_000
const PRUNE_MAX_BATCHES = 200

/**
 * Removes ledger entries that landed before `before`, in short transactions (the lander inserts
 * concurrently); what a run leaves over is taken by the next one.
 */
export async function pruneEventIds(client: PoolClient, before: Date): Promise<number> {
  let total = 0
  for (let i = 0; i < PRUNE_MAX_BATCHES; i++) {
    const result = await client.query(
      `DELETE FROM event_ids WHERE event_id IN (
         SELECT event_id FROM event_ids WHERE landed_at < $1 LIMIT ${PRUNE_BATCH})`,
      [before],
    )
    total += result.rowCount ?? 0
    if ((result.rowCount ?? 0) < PRUNE_BATCH) break
  }
  return total
}

async function tryLock(client: PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
    MAINTENANCE_LOCK_KEY,
  ])
  return rows[0]?.ok === true
}

async function inTransaction<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN')
  try {
    const result = await fn()
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK')
    throw err
  }
}

async function audit(
  client: PoolClient,
  actor: string,
  action: string,
  target: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await client.query('SELECT sretl_maintain_audit($1, $2, $3, $4::jsonb)', [
    actor,
    action,
    target,
    JSON.stringify(detail),
  ])
}

/** UTC days (YYYY-MM-DD) that have rows in the default partition, oldest first. */
export async function daysInDefaultPartition(client: Pick<PoolClient, 'query'>): Promise<string[]> {
  const { rows } = await client.query<{ day: string }>(
    `SELECT DISTINCT ((event_time AT TIME ZONE 'UTC')::date)::text AS day FROM sales_raw_default ORDER BY 1`,
  )
  return rows.map((r) => r.day)
}

/** Every YYYY-MM-DD from `from` to `to`, both included. */
export function dayRange(from: string, to: string): string[] {
  const days: string[] = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10))
  }
  return days
}
