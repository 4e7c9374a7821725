/**
 * Partition maintenance on a schedule inside the lander (the same run as `sretl maintain`), and
 * the count of rows in the default partition for the metric and `/status`. Several landers may
 * run it; the advisory lock in maintainSalesRawPartitions lets one of them do the work.
 */
import { errorMessage } from '../platform/errors.ts'
import type { Logger } from '../platform/logger.ts'
import type { MaintenanceSettings } from '../database/maintenance-settings.ts'
import { maintainSalesRawPartitions, type MaintenanceResult } from '../database/partition-maintenance.ts'
import { countDefaultPartitionRows } from '../database/partitions.ts'
import type { Pool } from '../platform/postgres.ts'
import type { LanderMetrics } from './metrics.ts'

export interface MaintenanceScheduleDeps {
  /** Acts as sretl_maintainer or sretl_owner (partition DDL through the owner functions). */
  readonly owner: Pool
  /** Any role that can read sales_raw_default. */
  readonly reader: Pool
  readonly settings: MaintenanceSettings
  /** 0 disables the maintenance runs (the default-partition count still runs). */
  readonly intervalMs: number
  readonly defaultRowsIntervalMs: number
  readonly metrics: LanderMetrics
  readonly logger: Logger
  readonly clock: () => number
}

export interface MaintenanceStatus {
  readonly defaultPartitionRows: number | null
  readonly defaultRowsCheckedAt: string | null
  readonly lastRunAt: string | null
  readonly lastRun: {
    readonly created: readonly string[]
    readonly dropped: readonly string[]
    readonly failures: number
  } | null
  readonly lastError: string | null
}

export interface MaintenanceSchedule {
  status(): MaintenanceStatus
  /** Runs maintenance now (also what the timer does). */
  runNow(): Promise<void>
  stop(): void
}

export function startMaintenanceSchedule(deps: MaintenanceScheduleDeps): MaintenanceSchedule {
  const { logger, metrics, clock } = deps
  let defaultRows: number | null = null
  let defaultRowsAt: number | undefined
  let lastRunAt: number | undefined
  let lastRun: MaintenanceStatus['lastRun'] = null
  let lastError: string | null = null
  let stopped = false
  const timers = new Set<NodeJS.Timeout>()

  const later = (ms: number, fn: () => Promise<void>): void => {
    if (stopped) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      void fn()
    }, ms)
    timers.add(timer)
  }

  const countDefault = async (): Promise<void> => {
    try {
      defaultRows = await countDefaultPartitionRows(deps.reader)
      defaultRowsAt = clock()
      metrics.defaultPartitionRows.set(defaultRows)
      if (defaultRows > 0) logger.warn({ rows: defaultRows }, 'rows in the default partition of sales_raw')
    } catch (err) {
      logger.warn({ err }, 'counting default-partition rows failed')
    }
  }

  const runNow = async (): Promise<void> => {
    try {
      const result = await maintainSalesRawPartitions(deps.owner, {
        settings: deps.settings,
        now: new Date(clock()),
        actor: 'lander',
      })
      if (!result.ran) {
        logger.debug('partition maintenance skipped: another run holds the lock')
        return
      }
      lastRunAt = clock()
      lastError = null
      lastRun = {
        created: result.created.map((p) => p.name),
        dropped: result.dropped.map((p) => p.name),
        failures: result.failures.length,
      }
      metrics.partitionsCreated.inc(result.created.length)
      metrics.partitionsDropped.inc(result.dropped.length)
      defaultRows = result.defaultRows
      defaultRowsAt = clock()
      metrics.defaultPartitionRows.set(result.defaultRows)
      logRun(logger, result)
    } catch (err) {
      lastError = errorMessage(err)
      logger.warn({ err: lastError }, 'partition maintenance failed; retried next run')
    }
  }

  const maintenanceLoop = async (): Promise<void> => {
    await runNow()
    later(deps.intervalMs, maintenanceLoop)
  }
  const countLoop = async (): Promise<void> => {
    await countDefault()
    later(deps.defaultRowsIntervalMs, countLoop)
  }
  if (deps.intervalMs > 0) later(0, maintenanceLoop)
  later(0, countLoop)

  return {
    status: () => ({
      defaultPartitionRows: defaultRows,
      defaultRowsCheckedAt: defaultRowsAt === undefined ? null : new Date(defaultRowsAt).toISOString(),
      lastRunAt: lastRunAt === undefined ? null : new Date(lastRunAt).toISOString(),
      lastRun,
      lastError,
    }),
    runNow,
    stop() {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}

/** What a run changed, and what it could not do, in the lander's log. */
function logRun(logger: Logger, result: MaintenanceResult): void {
  for (const p of result.created)
    logger.info({ partition: p.name, movedRows: p.movedRows }, 'partition created')
  for (const p of result.dropped) {
    logger.info({ partition: p.name, estimatedRows: p.estimatedRows }, 'partition dropped by retention')
  }
  const removed = {
    eventIds: result.prunedEventIds,
    auditRows: result.prunedAuditRows,
    ...result.prunedAggregates,
  }
  if (Object.values(removed).some((n) => n > 0)) logger.info(removed, 'retention removed old rows')
  for (const f of result.failures) logger.warn(f, 'partition maintenance step failed; retried next run')
  if (result.expiredDefaultDays.length > 0) {
    logger.warn({ days: result.expiredDefaultDays }, 'default partition holds rows older than the retention')
  }
}
