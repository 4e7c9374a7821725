/**
 * Prometheus, Alertmanager and the PostgreSQL exporter for the local stack, each from its Debian
 * package and run as a child process like Kafka: configuration generated into $SRETL_HOME, data
 * under $SRETL_HOME, pid files in $SRETL_HOME/run, stopped with the stack. A part that is not
 * installed is skipped with a plain message (the pipeline runs without it); a part that is
 * installed but cannot start stops `sretl up`, naming its log.
 */
import { accessSync, constants, copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import pg from 'pg'
import type { PathsConfig } from '../platform/base-config.ts'
import { SretlError } from '../platform/errors.ts'
import type { MonitoringConfig } from '../platform/monitoring-config.ts'
import type { ComponentLaunch } from './components.ts'
import { waitForHttp } from './http-ready.ts'
import { startProcess, type ManagedProcess } from './managed-process.ts'
import { assertPortFree } from './ports.ts'
import {
  ALERTMANAGER_CONFIG_FILE,
  EXPORTER_QUERIES_FILE,
  prometheusConfig,
  RULES_GLOB,
} from './prometheus-config.ts'
import type { OnProgress } from './progress.ts'
import { runCommand } from './run-command.ts'

export type MonitoringPart = 'postgres-exporter' | 'alertmanager' | 'prometheus'

export interface StartedMonitoringService {
  readonly name: MonitoringPart
  readonly process: ManagedProcess
  /** Where it answers (a URL). */
  readonly address: string
  readonly detail: string
  stop(): Promise<void>
  /** Starts it again with the same command (supervision, after it exited). */
  restart(): ManagedProcess
}

export interface MonitoringOptions {
  readonly config: MonitoringConfig
  readonly paths: PathsConfig
  /** DATABASE_URL; the exporter's connection unless POSTGRES_EXPORTER_DATABASE_URL is set. */
  readonly databaseUrl: string
  readonly components: readonly ComponentLaunch[]
  readonly onProgress: OnProgress
  /** Called as soon as a part runs, so the stack can stop it whatever happens next. */
  readonly onStarted: (service: StartedMonitoringService) => void
}

export interface MonitoringOutcome {
  readonly prometheusUrl?: string
  readonly alertmanagerUrl?: string
  /** Parts that are not installed, with the message shown. */
  readonly missing: readonly { name: MonitoringPart; message: string }[]
}

interface PartSpec {
  readonly name: MonitoringPart
  readonly what: string
  readonly candidates: readonly string[]
  readonly debianPackage: string
  readonly port: number
  readonly portVariable: string
  readonly commandVariable: string
}

/** The three parts, where their executables may be and which Debian package has them. */
function partSpecs(config: MonitoringConfig): PartSpec[] {
  return [
    {
      name: 'postgres-exporter',
      what: 'PostgreSQL exporter port',
      candidates: candidates(config.postgresExporter.command, [
        'prometheus-postgres-exporter',
        'postgres_exporter',
      ]),
      debianPackage: 'prometheus-postgres-exporter',
      port: config.postgresExporter.port,
      portVariable: 'POSTGRES_EXPORTER_PORT',
      commandVariable: 'POSTGRES_EXPORTER_CMD',
    },
    {
      name: 'alertmanager',
      what: 'Alertmanager port',
      candidates: candidates(config.alertmanager.command, ['prometheus-alertmanager', 'alertmanager']),
      debianPackage: 'prometheus-alertmanager',
      port: config.alertmanager.port,
      portVariable: 'ALERTMANAGER_PORT',
      commandVariable: 'ALERTMANAGER_CMD',
    },
    {
      name: 'prometheus',
      what: 'Prometheus port',
      candidates: candidates(config.prometheus.command, ['prometheus']),
      debianPackage: 'prometheus',
      port: config.prometheus.port,
      portVariable: 'PROMETHEUS_PORT',
      commandVariable: 'PROMETHEUS_CMD',
    },
  ]
}

export async function startMonitoring(options: MonitoringOptions): Promise<MonitoringOutcome> {
  const { config, onProgress } = options
  const specs = partSpecs(config)

  // find every executable and check every port before starting anything
  const found = new Map<MonitoringPart, string>()
  const missing: { name: MonitoringPart; message: string }[] = []
  for (const spec of specs) {
    const executable = await findExecutable(spec.candidates)
    if (executable) {
      found.set(spec.name, executable)
      continue
    }
    const message = `${spec.name} not installed: apt-get install ${spec.debianPackage}; continuing without it${
      spec.candidates.length === 1 && spec.candidates[0]?.includes('/')
        ? ` (${spec.commandVariable}=${spec.candidates[0]} does not exist)`
        : ''
    }`
    missing.push({ name: spec.name, message })
    onProgress({ step: spec.name, state: 'skip', detail: message })
  }
  for (const spec of specs) {
    if (!found.has(spec.name)) continue
    await assertPortFree(
      spec.port,
      `${spec.what}; a system ${spec.debianPackage} service may hold it: systemctl disable --now ${spec.debianPackage}`,
      spec.portVariable,
    )
  }

  const home = options.paths.home
  // how to start each part again, for supervision
  const relaunch = new Map<MonitoringPart, () => ManagedProcess>()
  const run = (
    name: MonitoringPart,
    command: string,
    args: string[],
    env?: NodeJS.ProcessEnv,
  ): ManagedProcess => {
    relaunch.set(name, () => run(name, command, args, env))
    return startProcess({
      name,
      command,
      args,
      logFile: join(options.paths.logs, `${name}.log`),
      pidFile: join(options.paths.run, `${name}.pid`),
      ...(env ? { env } : {}),
    })
  }
  const started = async (
    name: MonitoringPart,
    child: ManagedProcess,
    readyUrl: string,
    address: string,
    detail: string,
    accept?: (status: number, body: string) => boolean,
  ): Promise<void> => {
    options.onStarted({
      name,
      process: child,
      address,
      detail,
      stop: async () => void (await child.stop(15_000)),
      restart: relaunch.get(name) ?? (() => child),
    })
    const outcome = await waitForHttp(readyUrl, {
      timeoutMs: config.startTimeoutMs,
      isAlive: () => child.isAlive(),
      ...(accept ? { accept } : {}),
    })
    if (outcome !== 'ready') {
      throw new SretlError(
        'MONITORING_START_FAILED',
        `${name} ${outcome === 'exited' ? 'exited during start-up' : `did not answer at ${readyUrl} within ${config.startTimeoutMs} ms`} (log: ${child.logFile}); last lines:\n${child.tail(6)}\nStart without monitoring: sretl up --no-monitoring`,
      )
    }
  }

  const exporter = found.get('postgres-exporter')
  let exporterPort: number | undefined
  if (exporter) {
    const port = config.postgresExporter.port
    onProgress({ step: 'postgres-exporter', state: 'start', detail: `starting on 127.0.0.1:${port}…` })
    const dir = join(home, 'postgres-exporter')
    mkdirSync(dir, { recursive: true })
    const queries = join(dir, 'queries.yaml')
    copyFileSync(EXPORTER_QUERIES_FILE, queries)
    const url = config.postgresExporter.databaseUrl ?? options.databaseUrl
    const child = run(
      'postgres-exporter',
      exporter,
      [`--web.listen-address=127.0.0.1:${port}`, `--extend.query-path=${queries}`],
      { ...process.env, DATA_SOURCE_NAME: exporterDataSource(url) },
    )
    await started(
      'postgres-exporter',
      child,
      `http://127.0.0.1:${port}/metrics`,
      `http://127.0.0.1:${port}/metrics`,
      `connects with ${redact(url)}`,
      (status, body) => status === 200 && /^pg_up /m.test(body),
    )
    exporterPort = port
    const note = await monitorRoleNote(url)
    onProgress({
      step: 'postgres-exporter',
      state: 'done',
      detail: `127.0.0.1:${port} (pid ${child.pid})${note ? `; ${note}` : ''}`,
    })
  }

  const alertmanager = found.get('alertmanager')
  let alertmanagerUrl: string | undefined
  if (alertmanager) {
    const port = config.alertmanager.port
    onProgress({ step: 'alertmanager', state: 'start', detail: `starting on 127.0.0.1:${port}…` })
    const dir = join(home, 'alertmanager')
    mkdirSync(join(dir, 'data'), { recursive: true })
    const configFile = join(dir, 'alertmanager.yml')
    copyFileSync(ALERTMANAGER_CONFIG_FILE, configFile)
    alertmanagerUrl = `http://127.0.0.1:${port}`
    const child = run('alertmanager', alertmanager, [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // one instance: no gossip port (it would take 9094)
      '--cluster.listen-address=',
    ])
    await started(
      'alertmanager',
      child,
      `${alertmanagerUrl}/-/ready`,
      alertmanagerUrl,
      `config ${configFile}`,
    )
    onProgress({ step: 'alertmanager', state: 'done', detail: `${alertmanagerUrl} (pid ${child.pid})` })
  }

  const prometheus = found.get('prometheus')
  let prometheusUrl: string | undefined
  if (prometheus) {
    const p = config.prometheus
    onProgress({ step: 'prometheus', state: 'start', detail: `starting on 127.0.0.1:${p.port}…` })
    const dir = join(home, 'prometheus')
    mkdirSync(join(dir, 'data'), { recursive: true })
    const configFile = join(dir, 'prometheus.yml')
    writeFileSync(
      configFile,
      prometheusConfig({
        scrapeInterval: p.scrapeInterval,
        prometheusPort: p.port,
        ...(alertmanager ? { alertmanagerPort: config.alertmanager.port } : {}),
        ...(exporterPort === undefined ? {} : { postgresExporterPort: exporterPort }),
        components: options.components,
        rulesGlob: RULES_GLOB,
      }),
    )
    prometheusUrl = `http://127.0.0.1:${p.port}`
    const child = run('prometheus', prometheus, [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--storage.tsdb.retention.time=${p.retention}`,
      `--storage.tsdb.retention.size=${p.retentionSize}`,
      `--web.listen-address=127.0.0.1:${p.port}`,
    ])
    await started(
      'prometheus',
      child,
      `${prometheusUrl}/-/ready`,
      prometheusUrl,
      `config ${configFile}, data kept ${p.retention}`,
    )
    onProgress({ step: 'prometheus', state: 'done', detail: `${prometheusUrl} (pid ${child.pid})` })
  }

  return {
    ...(prometheusUrl ? { prometheusUrl } : {}),
    ...(alertmanagerUrl ? { alertmanagerUrl } : {}),
    missing,
  }
}

function candidates(configured: string | undefined, defaults: readonly string[]): readonly string[] {
  return configured ? [configured] : defaults
}

/**
 * The parts whose executable is not found (not installed), with their Debian package: what
 * `sretl up` would skip, so `sretl smoke` can skip their checks too.
 */
export async function missingMonitoringParts(
  config: MonitoringConfig,
): Promise<{ name: MonitoringPart; debianPackage: string }[]> {
  const missing: { name: MonitoringPart; debianPackage: string }[] = []
  for (const spec of partSpecs(config)) {
    if (!(await findExecutable(spec.candidates)))
      missing.push({ name: spec.name, debianPackage: spec.debianPackage })
  }
  return missing
}

async function findExecutable(names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    if (name.includes('/')) {
      const path = isAbsolute(name) ? name : join(process.cwd(), name)
      try {
        accessSync(path, constants.X_OK)
        return path
      } catch {
        continue
      }
    }
    const result = await runCommand('sh', ['-c', 'command -v "$0"', name], { timeoutMs: 10_000 })
    const path = result.output.trim().split('\n')[0]
    if (result.code === 0 && path) return path
  }
  return undefined
}

/**
 * The exporter's DSN. node-postgres uses TLS only when the URL asks for it, while the exporter's
 * driver (lib/pq) would insist on it; without an sslmode the exporter connects as the
 * components do.
 */
export function exporterDataSource(url: string): string {
  const parsed = new URL(url)
  if (!parsed.searchParams.has('sslmode')) parsed.searchParams.set('sslmode', 'disable')
  return parsed.toString()
}

function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  parsed.search = ''
  return parsed.toString()
}

/** A hint when the exporter's role cannot see everything (pg_monitor) or read sales_raw. */
async function monitorRoleNote(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    const { rows } = await client.query<{ user: string; monitor: boolean; reader: boolean }>(
      `SELECT current_user AS user,
              pg_has_role(current_user, 'pg_monitor', 'USAGE') AS monitor,
              coalesce(has_table_privilege(current_user, to_regclass('sales_raw_default'), 'SELECT'), true) AS reader`,
    )
    const row = rows[0]
    if (!row) return undefined
    const notes: string[] = []
    if (!row.monitor) {
      notes.push(
        `role ${row.user} lacks pg_monitor, some PostgreSQL figures are partial (GRANT pg_monitor TO ${row.user})`,
      )
    }
    if (!row.reader) notes.push(`role ${row.user} cannot read sales_raw (GRANT sretl_reader TO ${row.user})`)
    return notes.length > 0 ? notes.join('; ') : undefined
  } catch {
    return 'PostgreSQL did not answer the role check'
  } finally {
    await client.end().catch(() => undefined)
  }
}
