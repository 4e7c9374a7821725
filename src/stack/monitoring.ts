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
  /** Writes its configuration and says how to run it; called only when it was found. */
  readonly prepare: (context: PrepareContext) => Launch
}

interface PrepareContext {
  readonly options: MonitoringOptions
  /** Its directory under $SRETL_HOME. */
  readonly dir: string
  /** The parts found installed (those that run, unless one fails and stops everything). */
  readonly found: ReadonlySet<MonitoringPart>
}

interface Launch {
  readonly args: string[]
  readonly env?: NodeJS.ProcessEnv
  readonly readyUrl: string
  /** Where it answers (a URL). */
  readonly address: string
  readonly detail: string
  /** How its progress line names it, when not by its address. */
  readonly shownAs?: string
  readonly accept?: (status: number, body: string) => boolean
  /** What follows `(pid N)` in its progress line once it is ready. */
  readonly note?: () => Promise<string | undefined>
}

/**
 * The three parts in start order (Prometheus last: its configuration names the others), where
 * their executables may be, which Debian package has them and how each is launched.
 */
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
      prepare: ({ options, dir }) => {
        const port = config.postgresExporter.port
        mkdirSync(dir, { recursive: true })
        const queries = join(dir, 'queries.yaml')
        copyFileSync(EXPORTER_QUERIES_FILE, queries)
        const url = config.postgresExporter.databaseUrl ?? options.databaseUrl
        return {
          args: [`--web.listen-address=127.0.0.1:${port}`, `--extend.query-path=${queries}`],
          env: { ...process.env, DATA_SOURCE_NAME: exporterDataSource(url) },
          readyUrl: `http://127.0.0.1:${port}/metrics`,
          address: `http://127.0.0.1:${port}/metrics`,
          detail: `connects with ${redact(url)}`,
          shownAs: `127.0.0.1:${port}`,
          accept: (status, body) => status === 200 && /^pg_up /m.test(body),
          note: () => monitorRoleNote(url),
        }
      },
    },
    {
      name: 'alertmanager',
      what: 'Alertmanager port',
      candidates: candidates(config.alertmanager.command, ['prometheus-alertmanager', 'alertmanager']),
      debianPackage: 'prometheus-alertmanager',
      port: config.alertmanager.port,
      portVariable: 'ALERTMANAGER_PORT',
      commandVariable: 'ALERTMANAGER_CMD',
      prepare: ({ dir }) => {
        const port = config.alertmanager.port
        mkdirSync(join(dir, 'data'), { recursive: true })
        const configFile = join(dir, 'alertmanager.yml')
        copyFileSync(ALERTMANAGER_CONFIG_FILE, configFile)
        const url = `http://127.0.0.1:${port}`
        return {
          args: [
            `--config.file=${configFile}`,
            `--storage.path=${join(dir, 'data')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            // one instance: no gossip port (it would take 9094)
            '--cluster.listen-address=',
          ],
          readyUrl: `${url}/-/ready`,
          address: url,
          detail: `config ${configFile}`,
        }
      },
    },
    {
      name: 'prometheus',
      what: 'Prometheus port',
      candidates: candidates(config.prometheus.command, ['prometheus']),
      debianPackage: 'prometheus',
      port: config.prometheus.port,
      portVariable: 'PROMETHEUS_PORT',
      commandVariable: 'PROMETHEUS_CMD',
      prepare: ({ options, dir, found }) => {
        const p = config.prometheus
        mkdirSync(join(dir, 'data'), { recursive: true })
        const configFile = join(dir, 'prometheus.yml')
        writeFileSync(
          configFile,
          prometheusConfig({
            scrapeInterval: p.scrapeInterval,
            prometheusPort: p.port,
            ...(found.has('alertmanager') ? { alertmanagerPort: config.alertmanager.port } : {}),
            ...(found.has('postgres-exporter') ? { postgresExporterPort: config.postgresExporter.port } : {}),
            components: options.components,
            rulesGlob: RULES_GLOB,
          }),
        )
        const url = `http://127.0.0.1:${p.port}`
        return {
          args: [
            `--config.file=${configFile}`,
            `--storage.tsdb.path=${join(dir, 'data')}`,
            `--storage.tsdb.retention.time=${p.retention}`,
            `--storage.tsdb.retention.size=${p.retentionSize}`,
            `--web.listen-address=127.0.0.1:${p.port}`,
          ],
          readyUrl: `${url}/-/ready`,
          address: url,
          detail: `config ${configFile}, data kept ${p.retention}`,
        }
      },
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

  const addresses = new Map<MonitoringPart, string>()
  const installed = new Set(found.keys())
  for (const spec of specs) {
    const executable = found.get(spec.name)
    if (!executable) continue
    onProgress({ step: spec.name, state: 'start', detail: `starting on 127.0.0.1:${spec.port}…` })
    const launch = spec.prepare({ options, dir: join(options.paths.home, spec.name), found: installed })
    const child = await startPart(options, spec.name, executable, launch)
    addresses.set(spec.name, launch.address)
    const note = await launch.note?.()
    onProgress({
      step: spec.name,
      state: 'done',
      detail: `${launch.shownAs ?? launch.address} (pid ${child.pid})${note ? `; ${note}` : ''}`,
    })
  }

  const prometheusUrl = addresses.get('prometheus')
  const alertmanagerUrl = addresses.get('alertmanager')
  return {
    ...(prometheusUrl ? { prometheusUrl } : {}),
    ...(alertmanagerUrl ? { alertmanagerUrl } : {}),
    missing,
  }
}

/** Runs one part, hands it to the stack (which stops and restarts it), and waits until it answers. */
async function startPart(
  options: MonitoringOptions,
  name: MonitoringPart,
  command: string,
  launch: Launch,
): Promise<ManagedProcess> {
  const { startTimeoutMs } = options.config
  const run = (): ManagedProcess =>
    startProcess({
      name,
      command,
      args: launch.args,
      logFile: join(options.paths.logs, `${name}.log`),
      pidFile: join(options.paths.run, `${name}.pid`),
      ...(launch.env ? { env: launch.env } : {}),
    })
  const child = run()
  options.onStarted({
    name,
    process: child,
    address: launch.address,
    detail: launch.detail,
    stop: async () => void (await child.stop(15_000)),
    restart: run,
  })
  const outcome = await waitForHttp(launch.readyUrl, {
    timeoutMs: startTimeoutMs,
    isAlive: () => child.isAlive(),
    ...(launch.accept ? { accept: launch.accept } : {}),
  })
  if (outcome !== 'ready') {
    throw new SretlError(
      'MONITORING_START_FAILED',
      `${name} ${outcome === 'exited' ? 'exited during start-up' : `did not answer at ${launch.readyUrl} within ${startTimeoutMs} ms`} (log: ${child.logFile}); last lines:\n${child.tail(6)}\nStart without monitoring: sretl up --no-monitoring`,
    )
  }
  return child
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
