import { loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { stackConfigSection } from '../../platform/monitoring-config.ts'
import { stackComponents } from '../../stack/components.ts'
import { missingMonitoringParts } from '../../stack/monitoring.ts'
import { readStackState } from '../../stack/state.ts'
import { defineCommand } from '../command.ts'
import { componentAddresses } from '../component-status.ts'
import type { Ui } from '../ui.ts'
import {
  alertsCheck,
  componentsCheck,
  dashboardsCheck,
  MONITORING_CHECKS,
  monitoringNotInstalled,
  rowsCheck,
  SMOKE_CHECKS,
  targetsCheck,
  type CheckResult,
  type SmokeCheckName,
  type SmokeContext,
} from '../smoke-checks.ts'

export const smokeCommand = defineCommand({
  name: 'smoke',
  summary: 'Check a running stack end to end: rows grow, components run, targets UP, dashboards have data.',
  description:
    'Against the running stack (`sretl up`, or the PostgreSQL at DATABASE_URL and the Prometheus at ' +
    'PROMETHEUS_URL): sales_raw gains rows; every component answers RUNNING on /status; every Prometheus ' +
    'target is UP; every dashboard panel query in deploy/grafana/dashboards returns data; no alert fires ' +
    'but the expected ones. Each check is retried until it passes or the time is up. Prints a table; ' +
    'exit code 1 when a check fails. Without Prometheus installed (it is optional), its three checks are ' +
    'SKIPPED with the install command; an installed Prometheus that does not answer is a FAIL. An error-budget ' +
    'burn alert while the pipeline is on time now (right after an outage) is a WARN, not a FAIL.',
  options: {
    timeout: {
      type: 'string',
      valueName: 'seconds',
      description: 'How long checks may take to pass (default 50).',
    },
    'expect-alert': {
      type: 'string',
      valueName: 'names',
      description: 'Alerts allowed to fire, comma-separated (e.g. SretlLagHigh while the lander is paused).',
    },
    skip: {
      type: 'string',
      valueName: 'checks',
      description: `Checks to leave out, comma-separated: ${SMOKE_CHECKS.join(', ')}.`,
    },
    'require-monitoring': {
      type: 'boolean',
      description:
        'Fail, instead of skipping, the checks that need Prometheus (and the targets check for a missing Alertmanager or exporter) when they are not installed (CI).',
    },
    json: { type: 'boolean', description: 'Print the results as JSON.' },
  },
  examples: [
    'sretl smoke',
    'sretl smoke --timeout 120 --expect-alert SretlLagHigh',
    'sretl smoke --skip rows',
    'sretl smoke --require-monitoring',
  ],
  async run({ env, ui, values }) {
    const config = loadConfig(env, stackConfigSection)
    const timeoutSeconds = values.timeout === undefined ? 50 : Number(values.timeout)
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 3600) {
      throw new SretlError(
        'USAGE',
        `--timeout must be a number of seconds between 1 and 3600, got "${String(values.timeout)}"`,
      )
    }
    const skipped = list(values.skip)
    const unknown = skipped.filter((s) => !SMOKE_CHECKS.includes(s as SmokeCheckName))
    if (unknown.length > 0) {
      throw new SretlError(
        'USAGE',
        `unknown check(s) ${unknown.join(', ')}; the checks are ${SMOKE_CHECKS.join(', ')}`,
      )
    }
    const state = readStackState(config.paths.run)
    const required = values['require-monitoring'] === true
    // not installed: skipped (or failed when required); installed, given or run by the stack: asked
    const order = ['prometheus', 'alertmanager', 'postgres-exporter']
    const missing = (await missingMonitoringParts(config.monitoring)).sort(
      (a, b) => order.indexOf(a.name) - order.indexOf(b.name),
    )
    const install = `apt-get install ${missing.map((m) => m.debianPackage).join(' ')}`
    const prometheusMissing =
      !config.monitoring.prometheus.explicit &&
      missing.some((m) => m.name === 'prometheus') &&
      !state?.services.some((s) => s.name === 'prometheus')
    const context: SmokeContext = {
      database: config.postgres,
      prometheusUrl: config.monitoring.prometheus.url,
      components: componentAddresses(state, stackComponents(env)),
      expectedAlerts: list(values['expect-alert']),
      connectTimeoutMs: config.postgres.connectTimeoutMs,
      ...(prometheusMissing ? { monitoringMissing: { install, required } } : {}),
    }
    const monitoring =
      (check: () => Promise<CheckResult>): (() => Promise<CheckResult>) =>
      async () =>
        context.monitoringMissing ? monitoringNotInstalled(context.monitoringMissing) : check()
    const targets = async (): Promise<CheckResult> => {
      const result = await targetsCheck(context)
      if (!required || missing.length === 0 || !result.ok) return result
      return { ok: false, detail: `${result.detail}; --require-monitoring: not installed: ${install}` }
    }
    const checks: Record<SmokeCheckName, () => Promise<CheckResult>> = {
      rows: rowsCheck(context),
      components: () => componentsCheck(context),
      targets: monitoring(targets),
      dashboards: monitoring(() => dashboardsCheck(context)),
      alerts: monitoring(() => alertsCheck(context)),
    }
    const active = SMOKE_CHECKS.filter((name) => !skipped.includes(name))
    const results = new Map<SmokeCheckName, CheckResult>()
    const deadline = Date.now() + timeoutSeconds * 1000
    if (values.json !== true) ui.line(`Smoke-testing the stack (up to ${timeoutSeconds} s)…`)
    for (;;) {
      for (const name of active) {
        if (results.get(name)?.ok) continue
        results.set(name, await checks[name]())
      }
      if (active.every((name) => results.get(name)?.ok) || Date.now() >= deadline) break
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, Math.max(0, deadline - Date.now()))))
    }
    reportSmoke(ui, {
      json: values.json === true,
      active,
      skipped,
      results,
      install: context.monitoringMissing?.install,
    })
  },
})

interface SmokeReport {
  readonly json: boolean
  readonly active: readonly SmokeCheckName[]
  readonly skipped: readonly string[]
  readonly results: ReadonlyMap<SmokeCheckName, CheckResult>
  /** The apt-get line for the monitoring parts that are not installed. */
  readonly install: string | undefined
}

/** Prints the results (a table, or JSON) and fails when a check failed. */
function reportSmoke(ui: Ui, report: SmokeReport): void {
  const { active, skipped, results } = report
  const failed = active.filter((name) => !results.get(name)?.ok)
  const notInstalled = active.filter((name) => results.get(name)?.status === 'SKIPPED')
  const warned = active.filter((name) => results.get(name)?.status === 'WARN')
  if (report.json) {
    ui.line(
      JSON.stringify(
        {
          ok: failed.length === 0,
          checks: Object.fromEntries(results),
          skipped: [...skipped, ...notInstalled],
          warnings: warned,
        },
        null,
        2,
      ),
    )
  } else {
    ui.table(
      [
        ...active.map((name) => {
          const result = results.get(name)
          return [name, result?.status ?? (result?.ok ? 'PASS' : 'FAIL'), result?.detail ?? '']
        }),
        ...skipped.map((name) => [name, 'SKIPPED', 'left out (--skip)']),
      ],
      ['check', 'result', 'detail'],
    )
    for (const name of [...failed, ...warned]) {
      for (const line of results.get(name)?.more ?? []) ui.line(`  ${name}: ${line}`)
    }
  }
  if (failed.length > 0) {
    throw new SretlError(
      'SMOKE_FAILED',
      `${failed.length} of ${active.length} checks failed: ${failed.join(', ')}`,
    )
  }
  if (!report.json) {
    const passed = active.length - notInstalled.length
    ui.line(
      notInstalled.length === 0
        ? `All ${passed} checks passed${warned.length > 0 ? ` (${warned.join(', ')} with a warning)` : ''}.`
        : `${passed} checks passed${warned.length > 0 ? ` (${warned.join(', ')} with a warning)` : ''}; ${notInstalled.length} skipped: ${MONITORING_CHECKS.filter((c) => notInstalled.includes(c)).join(', ')} need Prometheus (${report.install ?? ''}).`,
    )
  }
}

function list(value: string | boolean | undefined): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : []
}
