/** The control service's metrics (docs/metrics.md lists them). */
import { Counter, Gauge } from 'prom-client'
import { certificateNotAfter, type CertificateName } from '../platform/certificates.ts'
import { scrapedGauges, type MetricsRegistry } from '../platform/metrics.ts'
import type { AuditResult } from './audit.ts'
import type { CommandMetrics } from './commands/commander.ts'

export interface ControlReadings {
  sessions(): number
  streams(): number
  deadLettersHeld(): number
}

export function createControlMetrics(registry: MetricsRegistry, targets: readonly string[]) {
  const registers = [registry]
  const commands = new Counter({
    name: 'sretl_control_commands_total',
    help: 'Commands given through the control service, by command and result (ok, refused, failed).',
    labelNames: ['command', 'result'],
    registers,
  })
  const logins = new Counter({
    name: 'sretl_control_logins_total',
    help: 'Sign-ins by result (ok, refused: wrong user or password, limited: too many attempts).',
    labelNames: ['result'],
    registers,
  })
  for (const result of ['ok', 'refused', 'limited']) logins.inc({ result }, 0)
  const componentUp = new Gauge({
    name: 'sretl_control_component_up',
    help: '1 when the target answered its last /status poll, else 0.',
    labelNames: ['target'],
    registers,
  })
  for (const target of targets) componentUp.set({ target }, 0)
  const auditFailures = new Counter({
    name: 'sretl_control_audit_failures_total',
    help: 'Commands applied whose audit_log row could not be written (the log keeps the entry).',
    registers,
  })
  const denied = new Counter({
    name: 'sretl_control_requests_denied_total',
    help: 'API requests refused before reaching a command, by reason (unauthenticated, csrf, rate_limited, role).',
    labelNames: ['reason'],
    registers,
  })
  const replayed = new Counter({
    name: 'sretl_control_dlq_replayed_total',
    help: 'Dead letters sent back to the input topic.',
    registers,
  })
  const commandMetrics: CommandMetrics = {
    commandDone: (command: string, result: AuditResult) => commands.inc({ command, result }),
    auditFailed: () => auditFailures.inc(),
  }
  return { commands, logins, componentUp, auditFailures, denied, replayed, commandMetrics }
}

export type ControlMetrics = ReturnType<typeof createControlMetrics>

/**
 * Expiry of the stack's certificates (TLS_CERTIFICATE_FILES), read from the files at every
 * scrape so a renewed certificate shows at once; an unreadable file reports 0 (alerts fire).
 */
export function registerCertificateExpiry(
  registry: MetricsRegistry,
  files: Readonly<Partial<Record<CertificateName, string>>>,
): void {
  const entries = Object.entries(files) as [CertificateName, string][]
  if (entries.length === 0) return
  new Gauge({
    name: 'sretl_control_tls_certificate_expiry_timestamp_seconds',
    help: 'When each certificate of the stack expires (Unix seconds; 0 when its file cannot be read), by certificate (ca, kafka, postgres).',
    labelNames: ['certificate'],
    registers: [registry],
    collect() {
      for (const [certificate, file] of entries) {
        const notAfter = certificateNotAfter(file)
        this.set({ certificate }, notAfter ? Math.floor(notAfter.getTime() / 1000) : 0)
      }
    },
  })
}

export function registerControlGauges(registry: MetricsRegistry, readings: ControlReadings): void {
  const gauge = scrapedGauges(registry)
  gauge('sretl_control_sessions', 'Signed-in sessions held.', () => readings.sessions())
  gauge('sretl_control_streams', 'Panels receiving live updates now.', () => readings.streams())
  gauge('sretl_control_dlq_held_records', 'Dead letters held for browsing and replay.', () =>
    readings.deadLettersHeld(),
  )
}
