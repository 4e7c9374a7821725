import { userInfo } from 'node:os'
import { baseConfigSection } from '../../platform/base-config.ts'
import { combineSections, loadConfig } from '../../platform/config.ts'
import { maintenanceSection } from '../../database/maintenance-settings.ts'
import { maintainSalesRawPartitions } from '../../database/partition-maintenance.ts'
import { createPool } from '../../platform/postgres.ts'
import { defineCommand } from '../command.ts'
import { formatCount } from '../ui.ts'

export const maintainCommand = defineCommand({
  name: 'maintain',
  summary:
    'Partition maintenance of sales_raw and the retention of sales, aggregates, the audit log and the event_id ledger.',
  description:
    'Creates the daily partitions from PARTITION_DAYS_BACK days ago to PARTITION_DAYS_AHEAD days ahead, gives every ' +
    'day found in the default partition its own partition (moving those rows into it), drops the days older than ' +
    'RETENTION_DAYS (400), removes aggregate windows older than AGGREGATE_RETENTION_DAYS (1100), audit_log rows older ' +
    'than AUDIT_RETENTION_DAYS (400) and event_ids older than EVENT_ID_RETENTION_DAYS (30); 0 keeps everything. ' +
    'Everything removed is counted in audit_log. The lander runs the same ' +
    'maintenance every LANDER_MAINTENANCE_INTERVAL_MS; a run waits for one in progress. Exit code 1 when a step failed.',
  options: { json: { type: 'boolean', description: 'Print the outcome as JSON.' } },
  examples: ['sretl maintain', 'RETENTION_DAYS=90 sretl maintain', 'sretl maintain --json'],
  async run({ env, ui, values }) {
    const config = loadConfig(
      env,
      combineSections({ base: baseConfigSection, maintenance: maintenanceSection }),
    )
    const pool = createPool(config.base.postgres, {
      applicationName: 'sretl-maintain',
      role: 'sretl_owner',
      max: 1,
    })
    try {
      const result = await maintainSalesRawPartitions(pool, {
        settings: config.maintenance,
        now: new Date(),
        actor: `cli:${actorName(env.USER)}`,
        waitMs: 60_000,
      })
      if (values.json === true) {
        ui.line(JSON.stringify(result, null, 2))
      } else if (!result.ran) {
        ui.line('Another maintenance run held the lock for a minute; nothing done. Try again.')
      } else {
        ui.line(
          result.created.length === 0
            ? 'No partition was missing.'
            : `Created ${result.created.length} partition(s): ${result.created.map((p) => `${p.day}${p.movedRows > 0 ? ` (${formatCount(p.movedRows)} rows moved from the default partition)` : ''}`).join(', ')}.`,
        )
        if (result.dropped.length > 0) {
          ui.line(
            `Dropped ${result.dropped.length} partition(s) older than ${config.maintenance.retentionDays} days: ${result.dropped.map((p) => p.day).join(', ')}.`,
          )
        }
        for (const f of result.failures)
          ui.warn(`could not ${f.action} the partition of ${f.day}: ${f.error}`)
        if (result.expiredDefaultDays.length > 0) {
          ui.warn(
            `the default partition holds rows of days older than the retention: ${result.expiredDefaultDays.join(', ')}`,
          )
        }
        if (result.prunedEventIds > 0) {
          ui.line(
            `Pruned ${formatCount(result.prunedEventIds)} event_ids older than ${config.maintenance.eventIdRetentionDays} days from the ledger.`,
          )
        }
        if (result.prunedAuditRows > 0) {
          ui.line(
            `Removed ${formatCount(result.prunedAuditRows)} audit_log rows older than ${config.maintenance.auditRetentionDays} days.`,
          )
        }
        const aggregates = Object.entries(result.prunedAggregates).filter(([, n]) => n > 0)
        if (aggregates.length > 0) {
          ui.line(
            `Removed aggregate windows older than ${config.maintenance.aggregateRetentionDays} days: ${aggregates.map(([t, n]) => `${t} ${formatCount(n)}`).join(', ')}.`,
          )
        }
        ui.line(`Default partition: ${formatCount(result.defaultRows)} rows.`)
      }
      return result.ran && result.failures.length === 0 ? 0 : 1
    } finally {
      await pool.end()
    }
  },
})

export function actorName(user: string | undefined): string {
  if (user) return user
  try {
    return userInfo().username
  } catch {
    return 'unknown'
  }
}
