/**
 * The settings of partition maintenance and retention (`sretl maintain` and the lander's
 * schedule): how many days of partitions are kept ready, and how long each kind of data is kept.
 */
import { defineSection, intVar } from '../platform/config.ts'
import { SretlError } from '../platform/errors.ts'

export const maintenanceSection = defineSection(
  {
    PARTITION_DAYS_AHEAD: intVar('Daily partitions of sales_raw kept ready ahead of today (UTC).', 7, {
      min: 1,
      max: 366,
    }),
    PARTITION_DAYS_BACK: intVar(
      'Daily partitions kept behind today, for late events and backfills (older days get one when an event of theirs lands in the default partition).',
      3,
      { min: 0, max: 3660 },
    ),
    RETENTION_DAYS: intVar(
      'Days of sales_raw kept: a daily partition entirely older than this is detached and dropped (audited). Default a year plus a month, for year-on-year comparisons and a month of margin (docs/data-protection.md). 0 keeps everything.',
      400,
      { min: 0, max: 36_600 },
    ),
    AGGREGATE_RETENTION_DAYS: intVar(
      'Days the aggregate tables keep a window (they hold no personal data, so longer than sales_raw: three years of trends). 0 keeps everything; otherwise at least RETENTION_DAYS. Unset: 1100, or RETENTION_DAYS when that is longer, or everything when RETENTION_DAYS is 0.',
      1100,
      { min: 0, max: 36_600 },
    ),
    AUDIT_RETENTION_DAYS: intVar(
      'Days audit_log keeps a row (who did what, from which address). 0 keeps everything; at least 30 otherwise.',
      400,
      { min: 0, max: 36_600 },
    ),
    EVENT_ID_RETENTION_DAYS: intVar(
      "Days an event_id stays in the event_ids ledger after it landed (ADR 0061): within them a re-send of the id with another event_time is recognised as a duplicate. Default: the sales topic's retention (30 days). 0 keeps every id.",
      30,
      { min: 0, max: 36_600 },
    ),
    PARTITION_LOCK_TIMEOUT_MS: intVar(
      'Longest wait for the table lock that creating or dropping a partition needs; a day that cannot get it is retried at the next run.',
      5000,
      { min: 100, max: 600_000 },
    ),
  },
  (v, env) => {
    const problems: string[] = []
    if (v.AUDIT_RETENTION_DAYS > 0 && v.AUDIT_RETENTION_DAYS < 30) {
      problems.push(
        `AUDIT_RETENTION_DAYS: ${v.AUDIT_RETENTION_DAYS} is under 30 days; use 30 or more, or 0 to keep every row`,
      )
    }
    // unset, the aggregates follow sales_raw: never shorter, everything when sales keep everything
    const aggregateRetentionDays =
      env.AGGREGATE_RETENTION_DAYS === undefined
        ? v.RETENTION_DAYS === 0
          ? 0
          : Math.max(v.AGGREGATE_RETENTION_DAYS, v.RETENTION_DAYS)
        : v.AGGREGATE_RETENTION_DAYS
    if (aggregateRetentionDays > 0 && (v.RETENTION_DAYS === 0 || aggregateRetentionDays < v.RETENTION_DAYS)) {
      problems.push(
        `AGGREGATE_RETENTION_DAYS: ${aggregateRetentionDays} is shorter than RETENTION_DAYS (${v.RETENTION_DAYS || 'keep everything'}); the aggregates would lose windows whose sales are still kept`,
      )
    }
    if (problems.length > 0) {
      throw new SretlError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
        details: { problems },
      })
    }
    return {
      daysAhead: v.PARTITION_DAYS_AHEAD,
      daysBack: v.PARTITION_DAYS_BACK,
      retentionDays: v.RETENTION_DAYS,
      aggregateRetentionDays,
      auditRetentionDays: v.AUDIT_RETENTION_DAYS,
      eventIdRetentionDays: v.EVENT_ID_RETENTION_DAYS,
      lockTimeoutMs: v.PARTITION_LOCK_TIMEOUT_MS,
    }
  },
)

export type MaintenanceSettings = ReturnType<typeof maintenanceSection.build>
