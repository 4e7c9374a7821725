import { createClient, type ConnectionSettings } from '../../platform/postgres.ts'
import { landerOwnSection } from '../../lander/config.ts'
import type { BaseConfig } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { errorMessage } from '../../platform/errors.ts'
import { createAdmin, kafkaAnswers } from '../../platform/kafka.ts'
import { redactUrl } from '../../platform/logger.ts'
import { stackConfigSection } from '../../platform/monitoring-config.ts'
import { countDefaultPartitionRows, listSalesRawPartitions } from '../../database/partitions.ts'
import { activeTargets, alerts } from '../../observability/prometheus-api.ts'
import { allTopicNames } from '../../platform/topics.ts'
import { stackComponents } from '../../stack/components.ts'
import { isPidAlive } from '../../stack/managed-process.ts'
import { readStackState, type ServiceState } from '../../stack/state.ts'
import { defineCommand } from '../command.ts'
import { componentAddresses, readComponent, type ComponentReport } from '../component-status.ts'
import { formatCount, type Ui } from '../ui.ts'
import { printControl, probeControl, type ControlReport } from './status-control.ts'
import { printLander, probeLander, type LanderReport } from './status-lander.ts'

interface StatusReport {
  stack: {
    running: boolean
    upPid?: number
    readyAt?: string
    services: {
      name: string
      state: string
      address: string
      pid?: number
      detail?: string
      /** Restarts by `sretl up`'s supervision (ADR 0060). */
      restarts: number
      /** The last exit, restart or give-up supervision reported, and when. */
      lastEvent?: { at: string; message: string }
    }[]
  }
  kafka: {
    bootstrap: string
    reachable: boolean
    topics: { name: string; partitions: number | null }[]
    error?: string
  }
  postgres: {
    url: string
    reachable: boolean
    schemaVersion?: number
    salesRawRows?: number
    defaultPartitionRows?: number
    partitions?: { count: number; first?: string; last?: string }
    error?: string
  }
  /** Each component's own /status (state, last error, and the lander's lag per partition). */
  components: ComponentReport[]
  prometheus: {
    url: string
    reachable: boolean
    targetsUp?: number
    targetsTotal?: number
    firing?: string[]
    error?: string
  }
  lander: LanderReport
  /** The control service's health summary (signed in with the CLI's token), when it answers. */
  control: ControlReport
}

export const statusCommand = defineCommand({
  name: 'status',
  summary:
    'Show what runs where: stack processes, components and lag, Kafka topics, schema and partitions, Prometheus.',
  description:
    'Works with or without `sretl up`: it checks the configured Kafka, PostgreSQL and Prometheus directly and ' +
    'asks each component for its /status (the lander reports lag per partition in messages and seconds), and ' +
    'shows the control service’s health summary when it answers (with the token `sretl pause` uses). ' +
    'Exit code 1 when Kafka or PostgreSQL does not answer.',
  options: { json: { type: 'boolean', description: 'Print the report as JSON.' } },
  async run({ env, ui, values }) {
    const config = loadConfig(env, stackConfigSection)
    const report: StatusReport = {
      stack: { running: false, services: [] },
      kafka: { bootstrap: config.kafka.bootstrapServers.join(','), reachable: false, topics: [] },
      postgres: { url: redactUrl(config.postgres.url), reachable: false },
      components: [],
      prometheus: { url: config.monitoring.prometheus.url, reachable: false },
      lander: { url: `http://127.0.0.1:${loadConfig(env, landerOwnSection).port}`, reachable: false },
      control: { url: '', reachable: false },
    }
    const state = readStackState(config.paths.run)
    const running = state && isPidAlive(state.upPid) ? state : undefined
    if (state && isPidAlive(state.upPid)) {
      report.stack = {
        running: true,
        upPid: state.upPid,
        ...(state.readyAt ? { readyAt: state.readyAt } : {}),
        services: state.services.map((s) => ({
          name: s.name,
          state: serviceState(s),
          address: s.address,
          ...(s.pid ? { pid: s.pid } : {}),
          ...(s.detail ? { detail: s.detail } : {}),
          restarts: s.restarts ?? 0,
          ...(s.lastEvent ? { lastEvent: s.lastEvent } : {}),
        })),
      }
    }
    await Promise.all([
      probeKafka(config, report),
      probePostgres(config.postgres, config.postgres.connectTimeoutMs, report),
      probePrometheus(config.monitoring.prometheus.url, report),
      Promise.all(componentAddresses(running, stackComponents(env)).map((c) => readComponent(c))).then(
        (components) => void (report.components = components),
      ),
      probeLander(report.lander.url).then((lander) => (report.lander = lander)),
      probeControl(env).then((control) => (report.control = control)),
    ])

    if (values.json === true) {
      ui.line(JSON.stringify(report, null, 2))
    } else {
      printReport(ui, report)
    }
    return report.kafka.reachable && report.postgres.reachable ? 0 : 1
  },
})

/** Why Prometheus may be silent, in the words of what `sretl up` did. */
export function prometheusHint(stack: StatusReport['stack']): string {
  if (!stack.running)
    return 'No local stack runs: `sretl up` starts Prometheus when it is installed (docs/observability.md).'
  if (!stack.services.some((s) => s.name === 'prometheus')) {
    return 'The running stack has no monitoring: it was started with --no-monitoring, or Prometheus is not installed (apt-get install prometheus; docs/observability.md).'
  }
  return 'The stack started Prometheus: see its state in the table above and its log under $SRETL_HOME/logs.'
}

/** What a service of the state file is doing now: supervision's word first, else its pid's. */
function serviceState(s: ServiceState): string {
  if (s.supervision === 'failed') return 'failed (gave up)'
  if (s.supervision === 'restarting') return 'restarting'
  if (s.pid === undefined) return s.owned ? 'running' : 'reused'
  return isPidAlive(s.pid) ? 'running' : 'exited'
}

async function probeKafka(config: BaseConfig, report: StatusReport): Promise<void> {
  if (!(await kafkaAnswers(config.kafka))) {
    report.kafka.error = 'no broker answered'
    return
  }
  report.kafka.reachable = true
  const admin = createAdmin(config.kafka, 'status')
  try {
    const names = allTopicNames(config.kafka)
    const existing = new Set(await admin.listTopics())
    const present = names.filter((n) => existing.has(n))
    const metadata = present.length > 0 ? await admin.metadata({ topics: present }) : undefined
    report.kafka.topics = names.map((name) => ({
      name,
      partitions: metadata?.topics.get(name)?.partitionsCount ?? null,
    }))
  } catch (err) {
    report.kafka.error = errorMessage(err)
  } finally {
    await admin.close()
  }
}

async function probePostgres(
  settings: ConnectionSettings,
  timeoutMs: number,
  report: StatusReport,
): Promise<void> {
  const client = createClient(settings, { connectTimeoutMs: timeoutMs, applicationName: 'sretl-status' })
  try {
    await client.connect()
    report.postgres.reachable = true
    const version = await client.query<{ v: number | null }>(
      "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL ELSE (SELECT max(version) FROM schema_migrations) END AS v",
    )
    const schemaVersion = version.rows[0]?.v ?? undefined
    if (schemaVersion === undefined || schemaVersion === null) return
    report.postgres.schemaVersion = schemaVersion
    const estimate = await client.query<{ n: string | null }>(
      // an estimate (counting 50M rows would take seconds): the statistics collector's live-row
      // count follows inserts within seconds; the planner's reltuples only after ANALYZE
      `SELECT sum(greatest(s.n_live_tup, c.reltuples, 0))::bigint::text AS n
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE i.inhparent = 'sales_raw'::regclass`,
    )
    report.postgres.salesRawRows = Number(estimate.rows[0]?.n ?? 0)
    report.postgres.defaultPartitionRows = await countDefaultPartitionRows(client)
    const partitions = (await listSalesRawPartitions(client)).filter((p) => !p.isDefault)
    report.postgres.partitions = {
      count: partitions.length,
      ...(partitions[0]?.from ? { first: partitions[0].from.slice(0, 10) } : {}),
      ...(partitions.at(-1)?.from ? { last: partitions.at(-1)?.from?.slice(0, 10) } : {}),
    }
  } catch (err) {
    report.postgres.error = errorMessage(err)
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function probePrometheus(url: string, report: StatusReport): Promise<void> {
  const targets = await activeTargets(url)
  if ('error' in targets) {
    report.prometheus.error = targets.error
    return
  }
  report.prometheus.reachable = true
  report.prometheus.targetsTotal = targets.length
  report.prometheus.targetsUp = targets.filter((t) => t.health === 'up').length
  const active = await alerts(url)
  if (!('error' in active)) {
    report.prometheus.firing = [...new Set(active.filter((a) => a.state === 'firing').map((a) => a.name))]
  }
}

function printComponents(ui: Ui, components: readonly ComponentReport[]): void {
  if (components.length === 0) return
  ui.line()
  ui.line('Components:')
  ui.table(
    components.map((c) => [
      `  ${c.name}`,
      c.state ?? 'unreachable',
      c.address,
      c.error ?? (c.lastError ? `last error ${c.lastError}` : ''),
    ]),
  )
  for (const c of components.filter((x) => x.lag)) {
    const lag = c.lag ?? []
    ui.line()
    ui.line(`Lag of the ${c.name} (end offset − next offset to land; age of the oldest event not landed):`)
    const seconds = lag.flatMap((p) => (p.lagSeconds === undefined ? [] : [p.lagSeconds]))
    ui.table(
      [
        ...lag.map((p) => [
          `  ${p.topic ? `${p.topic}/` : ''}${p.partition}`,
          p.lagMessages === undefined ? '-' : formatCount(p.lagMessages),
          p.lagSeconds === undefined ? '-' : `${p.lagSeconds.toFixed(1)} s`,
        ]),
        [
          '  total / worst',
          formatCount(lag.reduce((sum, p) => sum + (p.lagMessages ?? 0), 0)),
          seconds.length === 0 ? '-' : `${Math.max(...seconds).toFixed(1)} s`,
        ],
      ],
      ['  partition', 'messages', 'seconds'],
    )
  }
}

function printReport(ui: Ui, report: StatusReport): void {
  if (report.stack.running) {
    ui.line(
      `Local stack: running (sretl up, pid ${report.stack.upPid}, ready since ${report.stack.readyAt ?? '?'})`,
    )
    ui.table(
      report.stack.services.map((s) => [
        s.name,
        s.state,
        s.address,
        s.pid ? String(s.pid) : '-',
        String(s.restarts),
        s.detail ?? '',
      ]),
      ['service', 'state', 'address', 'pid', 'restarts', 'detail'],
    )
    for (const s of report.stack.services.filter((x) => x.lastEvent)) {
      ui.line(`  ${s.name}: ${s.lastEvent?.message ?? ''} (${s.lastEvent?.at ?? '?'})`)
    }
  } else {
    ui.line('Local stack: not running (start it with `sretl up`)')
  }
  printControl(ui, report.control)
  printComponents(ui, report.components)
  ui.line()
  const k = report.kafka
  ui.line(`Kafka ${k.bootstrap}: ${k.reachable ? 'reachable' : `NOT reachable (${k.error ?? 'unknown'})`}`)
  for (const t of k.topics)
    ui.line(
      `  ${t.name}: ${t.partitions === null ? 'missing (run `sretl topics`)' : `${t.partitions} partitions`}`,
    )
  ui.line()
  const p = report.postgres
  ui.line(`PostgreSQL ${p.url}: ${p.reachable ? 'reachable' : `NOT reachable (${p.error ?? 'unknown'})`}`)
  if (p.reachable) {
    if (p.schemaVersion === undefined) {
      ui.line('  schema: not migrated (run `sretl migrate`)')
    } else {
      ui.line(`  schema version ${p.schemaVersion}`)
      ui.line(
        `  sales_raw: about ${formatCount(p.salesRawRows ?? 0)} rows in ${p.partitions?.count ?? 0} daily partitions (${p.partitions?.first ?? '-'} … ${p.partitions?.last ?? '-'})`,
      )
      ui.line(
        `  default partition: ${formatCount(p.defaultPartitionRows ?? 0)} rows${p.defaultPartitionRows ? ' — events outside every daily partition; `sretl maintain` moves them' : ''}`,
      )
    }
  }
  ui.line()
  const m = report.prometheus
  if (!m.reachable) {
    ui.line(m.error ?? `Prometheus ${m.url}: not reachable`)
    ui.line(`  ${prometheusHint(report.stack)}`)
    return
  }
  const firing = m.firing ?? []
  ui.line(
    `Prometheus ${m.url}: ${m.targetsUp}/${m.targetsTotal} targets up; ${firing.length === 0 ? 'no alert firing' : `firing: ${firing.join(', ')}`}`,
  )
  printLander(ui, report.lander)
}
