/**
 * What `sretl up` tells the operator: the development defaults that are live, what supervision
 * did, and once ready, what runs where and how to reach it.
 */
import { join } from 'node:path'
import { DEV_KEY } from '../../gateway/api-keys.ts'
import { databasePasswordDefault } from '../../platform/live-defaults.ts'
import { FIRST_RUN_USER, type UsersFileLocation } from '../../control/auth/first-run.ts'
import type { ComponentLaunch } from '../../stack/components.ts'
import type { MonitoringOutcome } from '../../stack/monitoring.ts'
import type { ServiceState } from '../../stack/state.ts'
import type { SupervisorEvent } from '../../stack/supervisor.ts'
import { formatDuration, type Ui } from '../ui.ts'

/** A restart is news; an exit or a give-up is a warning, an exit with the log to read. */
export function showSupervisionEvent(ui: Ui, event: SupervisorEvent, logsDir: string): void {
  if (event.kind === 'restarted') ui.line(event.message)
  else
    ui.warn(
      event.kind === 'exited'
        ? `${event.message}; restarting it — see ${join(logsDir, `${event.name}.log`)}`
        : event.message,
    )
}

export interface ReadyReport {
  readonly services: readonly ServiceState[]
  readonly monitoring: MonitoringOutcome | undefined
  /** Where the panel's first admin is (when the control service runs). */
  readonly panel: UsersFileLocation | undefined
  readonly secure:
    | { readonly caFile: string; readonly toolsEnvFile: string; readonly gatewayKeyFile: string | undefined }
    | undefined
  readonly logsDir: string
  readonly readyMs: number
}

export function showReady(ui: Ui, report: ReadyReport): void {
  const { services, monitoring, secure } = report
  ui.line()
  ui.table(
    services.map((s) => [s.name, s.address, s.pid ? String(s.pid) : '-', s.owned ? 'started' : 'reused']),
    ['service', 'address', 'pid', ''],
  )
  ui.line()
  const control = services.find((s) => s.name === 'control')
  if (control && report.panel) {
    ui.line(`Control panel: ${control.address}/ — ${signInHint(report.panel)}`)
  }
  if (services.some((s) => s.name === 'simulator')) {
    ui.line(
      'Watch the stream: `npx sretl tail` · change the rate: `npx sretl rate 500` · pause: `npx sretl pause simulator`',
    )
  }
  const prometheusUrl = monitoring?.prometheusUrl
  if (prometheusUrl) {
    ui.line(
      `Prometheus: ${prometheusUrl} (targets: ${prometheusUrl}/targets, alerts: ${prometheusUrl}/alerts)`,
    )
  }
  if (monitoring?.alertmanagerUrl) ui.line(`Alertmanager: ${monitoring.alertmanagerUrl}`)
  for (const missing of monitoring?.missing ?? []) ui.line(`Not running: ${missing.message}`)
  if (secure) {
    ui.line(
      `Secure mode: Kafka over SASL_SSL (CA ${secure.caFile}); for sretl commands: \`set -a; . ${secure.toolsEnvFile}; set +a\``,
    )
    if (secure.gatewayKeyFile) ui.line(`Gateway API key: in ${secure.gatewayKeyFile}`)
  }
  ui.line(`Logs: ${report.logsDir}`)
  ui.line(
    `Ready${secure ? ' (secure mode)' : ''} in ${formatDuration(report.readyMs)}. \`sretl status\` shows what runs; Ctrl-C or \`sretl down\` stops it.`,
  )
}

export function signInHint(panel: UsersFileLocation): string {
  if (panel.credentialsFile) {
    return `sign in as ${FIRST_RUN_USER} with the password in ${panel.credentialsFile}${panel.created ? ' (created now; first run)' : ''}`
  }
  return `sign in with a user of ${panel.usersFile} (\`sretl control-user\` makes one)`
}

/** The well-known values the stack's components will use, for the start-up warning. */
export function liveDefaultsOfStack(
  env: Readonly<Record<string, string | undefined>>,
  databaseUrl: string,
  components: readonly ComponentLaunch[],
): string[] {
  const set = (name: string): boolean =>
    [env[name], env[`${name}_FILE`]].some((v) => v !== undefined && v.trim() !== '')
  const runs = (name: string) => components.find((c) => c.name === name)
  const out: string[] = []
  if (runs('gateway')?.env?.GATEWAY_ALLOW_DEV_KEY === 'true' || env.GATEWAY_ALLOW_DEV_KEY === 'true') {
    out.push(`GATEWAY_API_KEYS (the development key "${DEV_KEY}")`)
  }
  if (runs('simulator') && !set('SIMULATOR_LOYALTY_KEY'))
    out.push('SIMULATOR_LOYALTY_KEY (the development HMAC key)')
  const password = databasePasswordDefault(databaseUrl)
  if (password && (runs('lander') || runs('control'))) out.push(`${password.variable} (${password.what})`)
  return out
}
