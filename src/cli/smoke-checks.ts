/**
 * The checks of `sretl smoke`: each runs against the live stack and says pass or fail with a
 * plain detail. They are retried until they pass or the time is up, so a stack that has just
 * started gets the time it needs, and nothing is asserted on timing.
 */
import { createClient, type ConnectionSettings } from '../platform/postgres.ts'
import { describeFailures, loadDashboards, proveDashboards } from '../observability/dashboard-proof.ts'
import { activeTargets, alerts, queryValue } from '../observability/prometheus-api.ts'
import { formatCount } from './ui.ts'
import { readComponent, type ComponentAddress } from './component-status.ts'
import { judgeAlerts, NOW_QUERIES, type NowReading } from './smoke-alerts.ts'

/** Failed panel queries listed under the table; the rest are counted. */
const MORE_LINES = 12

export const SMOKE_CHECKS = ['rows', 'components', 'targets', 'dashboards', 'alerts'] as const
export type SmokeCheckName = (typeof SMOKE_CHECKS)[number]

export interface CheckResult {
  /** Passed, or nothing to fix (a warning, or skipped): no retry, no failure. */
  readonly ok: boolean
  /** Shown instead of PASS/FAIL. */
  readonly status?: 'WARN' | 'SKIPPED'
  readonly detail: string
  /** Longer explanation printed under the table (one item per line). */
  readonly more?: readonly string[]
}

export interface SmokeContext {
  readonly database: ConnectionSettings
  readonly prometheusUrl: string
  readonly components: readonly ComponentAddress[]
  readonly expectedAlerts: readonly string[]
  readonly connectTimeoutMs: number
  /**
   * Prometheus is not installed here (nor given by PROMETHEUS_URL, nor run by the stack): its
   * checks are skipped with this install command, or fail with it under --require-monitoring.
   */
  readonly monitoringMissing?: { readonly install: string; readonly required: boolean }
}

/** The checks that ask Prometheus. */
export const MONITORING_CHECKS: readonly SmokeCheckName[] = ['targets', 'dashboards', 'alerts']

/** A Prometheus check's answer when Prometheus is not installed: skipped, or failed when required. */
export function monitoringNotInstalled(missing: NonNullable<SmokeContext['monitoringMissing']>): CheckResult {
  return missing.required
    ? {
        ok: false,
        detail: `Prometheus is not installed and --require-monitoring asks for it: ${missing.install}`,
      }
    : {
        ok: true,
        status: 'SKIPPED',
        detail: `Prometheus is not installed (optional): ${missing.install}, then restart \`sretl up\``,
      }
}

/** A failure to reach an installed Prometheus stays a failure, with where to look. */
function unanswered(error: string): CheckResult {
  return error.includes('did not answer')
    ? {
        ok: false,
        detail: `${error}: it is installed but not answering — is the stack running (\`sretl status\` shows it and its log)?`,
      }
    : { ok: false, detail: error }
}

/** Rows inserted into sales_raw's partitions so far (cumulative statistics; cheap at any size). */
async function insertedRows(settings: ConnectionSettings, timeoutMs: number): Promise<number> {
  const client = createClient(settings, { connectTimeoutMs: timeoutMs, applicationName: 'sretl-smoke' })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT coalesce(sum(n_tup_ins), 0)::bigint::text AS n FROM pg_stat_user_tables
        WHERE relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'sales_raw'::regclass)`,
    )
    return Number(rows[0]?.n ?? 0)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A check of sales_raw growth: the first call takes the baseline, later calls compare. */
export function rowsCheck(context: SmokeContext): () => Promise<CheckResult> {
  let baseline: { rows: number; at: number } | undefined
  return async () => {
    let rows: number
    try {
      rows = await insertedRows(context.database, context.connectTimeoutMs)
    } catch (err) {
      return { ok: false, detail: `sales_raw: cannot read its statistics (${(err as Error).message})` }
    }
    if (!baseline) {
      baseline = { rows, at: Date.now() }
      return { ok: false, detail: 'sales_raw: first reading taken, waiting for new rows' }
    }
    const seconds = ((Date.now() - baseline.at) / 1000).toFixed(1)
    if (rows > baseline.rows) {
      return { ok: true, detail: `sales_raw +${formatCount(rows - baseline.rows)} rows in ${seconds} s` }
    }
    return {
      ok: false,
      detail: `sales_raw: no new rows in ${seconds} s (rows are stale; is the lander landing?)`,
    }
  }
}

export async function componentsCheck(context: SmokeContext): Promise<CheckResult> {
  if (context.components.length === 0) return { ok: true, detail: 'no components in this stack' }
  const reports = await Promise.all(context.components.map((c) => readComponent(c)))
  const bad = reports.filter((r) => r.state !== 'RUNNING')
  const describe = (r: (typeof reports)[number]) =>
    `${r.name}: ${r.error ?? `${r.state ?? 'no state'}${r.lastError ? ` (${r.lastError})` : ''}`}`
  if (bad.length === 0) return { ok: true, detail: `${reports.map((r) => r.name).join(', ')} RUNNING` }
  return { ok: false, detail: bad.map(describe).join('; ') }
}

export async function targetsCheck(context: SmokeContext): Promise<CheckResult> {
  const targets = await activeTargets(context.prometheusUrl)
  if ('error' in targets) return unanswered(targets.error)
  if (targets.length === 0) return { ok: false, detail: 'Prometheus has no scrape targets' }
  const down = targets.filter((t) => t.health !== 'up')
  if (down.length === 0)
    return {
      ok: true,
      detail: `${targets.length} targets UP (${[...new Set(targets.map((t) => t.job))].join(', ')})`,
    }
  return {
    ok: false,
    detail: down
      .map((t) => `${t.job} ${t.instance} ${t.health}${t.lastError ? `: ${t.lastError}` : ''}`)
      .join('; '),
  }
}

export async function dashboardsCheck(context: SmokeContext): Promise<CheckResult> {
  const client = createClient(context.database, {
    connectTimeoutMs: context.connectTimeoutMs,
    applicationName: 'sretl-smoke',
  })
  try {
    await client.connect()
  } catch (err) {
    return { ok: false, detail: `PostgreSQL did not answer (${(err as Error).message})` }
  }
  try {
    const proofs = await proveDashboards(loadDashboards(), {
      prometheusUrl: context.prometheusUrl,
      db: client,
      requireData: true,
    })
    const failures = describeFailures(proofs)
    if (failures.length === 0) return { ok: true, detail: `${proofs.length} panel queries returned data` }
    const unreachable = proofs.find((p) => p.error?.startsWith('Prometheus at '))
    if (unreachable) return unanswered(unreachable.error ?? 'Prometheus did not answer')
    const first = proofs.find((p) => !p.ok)
    const shown = failures.slice(0, MORE_LINES)
    return {
      ok: false,
      detail: `${failures.length} of ${proofs.length} panel queries failed; first: ${first?.query.dashboard} / ${first?.query.panel} (${first?.error ?? ''})`,
      more:
        failures.length > shown.length ? [...shown, `… and ${failures.length - shown.length} more`] : shown,
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}

export async function alertsCheck(context: SmokeContext): Promise<CheckResult> {
  const active = await alerts(context.prometheusUrl)
  if ('error' in active) return unanswered(active.error)
  const firing = active.filter((a) => a.state === 'firing')
  const now: NowReading = {
    lagSeconds: undefined,
    lateShare: undefined,
    errorShare: undefined,
    ...(firing.some((a) => a.labels.slo !== undefined && !context.expectedAlerts.includes(a.name))
      ? await readNow(context.prometheusUrl)
      : {}),
  }
  const judgement = judgeAlerts(firing, context.expectedAlerts, now)
  return {
    ok: judgement.status !== 'FAIL',
    ...(judgement.status === 'WARN' ? { status: 'WARN' as const } : {}),
    detail: judgement.detail,
    more: judgement.more,
  }
}

/** The pipeline's state now, for judging burn alerts (NaN — nothing measured — is no reading). */
async function readNow(prometheusUrl: string): Promise<NowReading> {
  const read = async (expr: string): Promise<number | undefined> => {
    const value = await queryValue(prometheusUrl, expr)
    return value === undefined || !Number.isFinite(value) ? undefined : value
  }
  const [lagSeconds, lateShare, errorShare] = await Promise.all([
    read(NOW_QUERIES.lagSeconds),
    read(NOW_QUERIES.lateShare),
    read(NOW_QUERIES.errorShare),
  ])
  return { lagSeconds, lateShare, errorShare }
}
