/**
 * PostgreSQL for the local stack: the server at DATABASE_URL when the user set one (it must
 * answer); otherwise the local Debian cluster, started if it is down, with the `sretl` role and
 * database created on first use. Says exactly what to do when it cannot do it itself.
 */
import { userInfo } from 'node:os'
import pg from 'pg'
import { SretlError } from '../platform/errors.ts'
import { checkPostgres, sqlState, type ConnectionSettings } from '../platform/postgres.ts'
import { redactUrl } from '../platform/logger.ts'
import type { OnProgress } from './progress.ts'
import { runCommand } from './run-command.ts'

export interface LocalCluster {
  readonly version: string
  readonly name: string
  readonly port: number
  readonly running: boolean
}

export interface EnsurePostgresOptions {
  readonly url: string
  /** The user set DATABASE_URL: use it or fail, never start or create anything. */
  readonly explicit: boolean
  readonly connectTimeoutMs: number
  readonly onProgress: OnProgress
  /** How to connect beyond the URL (password file, TLS), as the components will; default: the URL alone. */
  readonly settings?: ConnectionSettings
  /** Install Debian's postgresql package when no server exists (root only). */
  readonly allowInstall?: boolean
}

export interface PostgresHandle {
  readonly url: string
  /** The cluster this call started, to be stopped with the stack; undefined when it was already running. */
  readonly startedCluster: LocalCluster | undefined
  stop(): Promise<void>
}

export async function ensurePostgres(options: EnsurePostgresOptions): Promise<PostgresHandle> {
  const reuse: PostgresHandle = { url: options.url, startedCluster: undefined, stop: () => Promise.resolve() }
  const first = await attempt(options.settings ?? options.url, options.connectTimeoutMs)
  if (first === 'ok') return reuse
  if (options.explicit) {
    if (first instanceof SretlError && sqlState(first.cause) === '3D000') {
      await ensureDatabaseExists(options.url, options.connectTimeoutMs, true)
      return reuse
    }
    throw first
  }

  const target = new URL(options.url)
  const port = Number(target.port || 5432)
  let cluster = (await listClusters()).find((c) => c.port === port)
  const isRoot = userInfo().uid === 0
  if (!cluster) {
    if (!(await hasCommand('pg_lsclusters'))) {
      if (isRoot && options.allowInstall !== false && (await hasCommand('apt-get'))) {
        options.onProgress({
          step: 'postgres',
          state: 'update',
          detail: 'installing PostgreSQL (apt-get install postgresql)…',
        })
        await installPostgres()
        cluster = (await listClusters()).find((c) => c.port === port)
      } else {
        throw new SretlError(
          'PG_NOT_INSTALLED',
          `PostgreSQL is not answering at ${redactUrl(options.url)} and no local server is installed; install PostgreSQL 15+ (Debian/Ubuntu: sudo apt-get install postgresql) or set DATABASE_URL`,
        )
      }
    }
    if (!cluster) {
      throw new SretlError(
        'PG_NOT_INSTALLED',
        `PostgreSQL is not answering at ${redactUrl(options.url)} and no local cluster uses port ${port}; create one (sudo pg_createcluster 15 main --start) or set DATABASE_URL`,
      )
    }
  }

  let started: LocalCluster | undefined
  if (!cluster.running) {
    if (!isRoot) {
      throw new SretlError(
        'PG_BOOTSTRAP_FAILED',
        `the local PostgreSQL ${cluster.version}/${cluster.name} is stopped; start it with: sudo pg_ctlcluster ${cluster.version} ${cluster.name} start`,
      )
    }
    options.onProgress({
      step: 'postgres',
      state: 'update',
      detail: `starting PostgreSQL ${cluster.version}/${cluster.name}…`,
    })
    await startCluster(cluster)
    started = cluster
  }

  if ((await attempt(options.url, options.connectTimeoutMs)) !== 'ok') {
    await createRoleAndDatabase(target, cluster, isRoot)
  }
  const last = await attempt(options.url, options.connectTimeoutMs)
  if (last !== 'ok') throw last

  const startedCluster = started
  return {
    url: options.url,
    startedCluster,
    async stop() {
      if (!startedCluster) return
      await runCommand('pg_ctlcluster', [startedCluster.version, startedCluster.name, 'stop', '-m', 'fast'], {
        timeoutMs: 120_000,
      })
    },
  }
}

async function attempt(url: string | ConnectionSettings, timeoutMs: number): Promise<'ok' | SretlError> {
  try {
    await checkPostgres(url, timeoutMs)
    return 'ok'
  } catch (err) {
    if (err instanceof SretlError) return err
    throw err
  }
}

/** Creates the URL's database when the server answers but the database is missing. */
async function ensureDatabaseExists(url: string, timeoutMs: number, explicit: boolean): Promise<void> {
  const target = new URL(url)
  const database = decodeURIComponent(target.pathname.slice(1)) || 'postgres'
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  try {
    await probe.connect()
    return
  } catch (err) {
    if (sqlState(err) !== '3D000') return
  } finally {
    await probe.end().catch(() => undefined)
  }
  const adminUrl = new URL(url)
  adminUrl.pathname = '/postgres'
  const admin = new pg.Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: timeoutMs })
  try {
    await admin.connect()
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`)
  } catch (err) {
    if (sqlState(err) === '42P04') return
    throw new SretlError(
      'PG_BOOTSTRAP_FAILED',
      `database "${database}" does not exist and could not be created${explicit ? ' (create it, or give the DATABASE_URL user CREATEDB)' : ''}: ${(err as Error).message}`,
    )
  } finally {
    await admin.end().catch(() => undefined)
  }
}

export async function listClusters(): Promise<LocalCluster[]> {
  const result = await runCommand('pg_lsclusters', ['--no-header'], { timeoutMs: 30_000 })
  if (result.code !== 0) return []
  return result.output
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 4)
    .map(([version = '', name = '', port = '0', status = '']) => ({
      version,
      name,
      port: Number(port),
      running: status.startsWith('online'),
    }))
}

async function hasCommand(command: string): Promise<boolean> {
  const result = await runCommand('sh', ['-c', `command -v ${command}`], { timeoutMs: 10_000 })
  return result.code === 0
}

async function installPostgres(): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  await runCommand('apt-get', ['update'], { env, timeoutMs: 600_000 })
  const result = await runCommand('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], {
    env,
    timeoutMs: 900_000,
  })
  if (result.code !== 0) {
    throw new SretlError(
      'PG_NOT_INSTALLED',
      `apt-get install postgresql failed: ${result.output.split('\n').slice(-3).join(' | ')}`,
    )
  }
}

/** Creates the login role and database of the default URL through the server's `postgres` superuser. */
async function createRoleAndDatabase(target: URL, cluster: LocalCluster, isRoot: boolean): Promise<void> {
  const user = decodeURIComponent(target.username)
  const password = decodeURIComponent(target.password)
  const database = decodeURIComponent(target.pathname.slice(1))
  const steps = [
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(user)}) THEN ` +
      `CREATE ROLE ${ident(user)} LOGIN PASSWORD ${literal(password)} CREATEDB CREATEROLE; END IF; END $$;`,
    // the PostgreSQL exporter connects with this login too; pg_monitor lets it see every session
    `GRANT pg_monitor TO ${ident(user)};`,
  ]
  if (!isRoot) {
    throw new SretlError(
      'PG_BOOTSTRAP_FAILED',
      `PostgreSQL runs but has no role "${user}"; create it with: sudo -u postgres psql -p ${cluster.port} -c "CREATE ROLE ${user} LOGIN PASSWORD '${password}' CREATEDB CREATEROLE IN ROLE pg_monitor" && sudo -u postgres createdb -p ${cluster.port} -O ${user} ${database}; or set DATABASE_URL`,
    )
  }
  const psql = (sql: string) =>
    runCommand(
      'runuser',
      ['-u', 'postgres', '--', 'psql', '-p', String(cluster.port), '-v', 'ON_ERROR_STOP=1', '-tAc', sql],
      {
        timeoutMs: 60_000,
      },
    )
  for (const sql of steps) {
    const result = await psql(sql)
    if (result.code !== 0)
      throw new SretlError('PG_BOOTSTRAP_FAILED', `creating role ${user} failed: ${result.output.trim()}`)
  }
  const exists = await psql(`SELECT 1 FROM pg_database WHERE datname = ${literal(database)}`)
  if (exists.output.trim() !== '1') {
    const result = await psql(`CREATE DATABASE ${ident(database)} OWNER ${ident(user)}`)
    if (result.code !== 0) {
      throw new SretlError(
        'PG_BOOTSTRAP_FAILED',
        `creating database ${database} failed: ${result.output.trim()}`,
      )
    }
  }
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

function ident(value: string): string {
  return `"${value.replaceAll('"', '""')}"`
}

/** A cluster `up` started, watched by polling `pg_lsclusters` (it is no child of `up`). */
export interface WatchedCluster {
  readonly pid?: undefined
  /** Resolves when the cluster is seen stopped (never once `cancel` was called). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  cancel(): void
}

export function watchCluster(cluster: LocalCluster, intervalMs: number): WatchedCluster {
  let timer: NodeJS.Timeout | undefined
  let cancelled = false
  const exited = new Promise<{ code: number | null; signal: null }>((resolve) => {
    const check = async (): Promise<void> => {
      const now = (await listClusters()).find((c) => c.version === cluster.version && c.name === cluster.name)
      if (cancelled) return
      if (!now?.running) resolve({ code: null, signal: null })
      else timer = setTimeout(() => void check(), intervalMs)
    }
    timer = setTimeout(() => void check(), intervalMs)
  })
  return {
    exited,
    cancel() {
      cancelled = true
      clearTimeout(timer)
    },
  }
}

/** Starts a stopped local cluster (at start-up, and again under supervision); throws if it cannot. */
export async function startCluster(cluster: LocalCluster): Promise<void> {
  const result = await runCommand('pg_ctlcluster', [cluster.version, cluster.name, 'start'], {
    timeoutMs: 120_000,
  })
  if (result.code !== 0) {
    throw new SretlError(
      'PG_BOOTSTRAP_FAILED',
      `pg_ctlcluster ${cluster.version} ${cluster.name} start failed: ${result.output.trim()}`,
    )
  }
}
