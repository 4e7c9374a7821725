/**
 * What integration tests use: the run's Kafka broker and PostgreSQL server (started by
 * global-setup.ts), a fresh database per test from the migrated template, topic prefixes that
 * keep test files apart on the shared broker, the CLI as a child process, and polling.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'
import { baseConfigSection, type BaseConfig, type KafkaConfig } from '../../src/platform/base-config.ts'
import { loadConfig, type Env } from '../../src/platform/config.ts'
import { componentUrl, loginName, passwordFile, type LoginComponent } from '../../src/database/db-logins.ts'
import { createAdmin, ensureTopics } from '../../src/platform/kafka.ts'
import { createPool, dropDatabaseForced, type DbRole, type Pool } from '../../src/platform/postgres.ts'
import { topicSpecs } from '../../src/platform/topics.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { withDatabase } from './global-setup.ts'

export const ROOT = new URL('../../', import.meta.url).pathname
export const CLI = join(ROOT, 'src/cli/main.ts')

function required(name: string): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(
      `${name} is not set: integration tests run under \`npm test\`, whose global setup starts Kafka and PostgreSQL`,
    )
  }
  return value
}

export function kafkaBootstrap(): string {
  return required('SRETL_TEST_KAFKA_BOOTSTRAP')
}

/** A short random id for names (topics, groups, databases). */
export function uniqueId(): string {
  return randomBytes(4).toString('hex')
}

export interface TestDatabase {
  readonly name: string
  /** Connection URL as the login user (member of every sretl role). */
  readonly url: string
  /** The pool acting as one of the database roles: one per role, closed by drop(). */
  pool(role?: DbRole): Pool
  drop(): Promise<void>
}

/** A fresh, migrated database cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = required('SRETL_TEST_ADMIN_URL')
  const name = `${required('SRETL_TEST_DB_PREFIX')}${uniqueId()}`
  await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${required('SRETL_TEST_TEMPLATE_DB')}`)
  const url = withDatabase(adminUrl, name)
  // one pool per role however often a test asks (a poll loop asking each time would otherwise
  // open a connection per round and exhaust the server's connection slots)
  const pools = new Map<DbRole | 'login', Pool>()
  return {
    name,
    url,
    pool(role) {
      const key = role ?? 'login'
      let pool = pools.get(key)
      if (!pool) {
        pool = createPool(
          { url, poolMax: 5, connectTimeoutMs: 5000 },
          { applicationName: 'sretl-test', ...(role ? { role } : {}) },
        )
        pools.set(key, pool)
      }
      return pool
    },
    async drop() {
      await Promise.all([...pools.values()].map((p) => p.end().catch(() => undefined)))
      await dropDatabaseForced((sql) => adminQuery(adminUrl, sql), name)
    },
  }
}

export interface TestLogin {
  readonly login: string
  /** The database's URL with this login and no password. */
  readonly url: string
  readonly passwordFile: string
  /** DATABASE_URL and DATABASE_PASSWORD_FILE for a component run under this login. */
  readonly env: Record<string, string>
  /** Connection settings for createPool/createClient. */
  readonly settings: { url: string; passwordFile: string }
}

/** A component's own login (created for the run by global-setup.ts) on the given database. */
export function componentLogin(databaseUrl: string, component: LoginComponent): TestLogin {
  const login = loginName(component, { prefix: required('SRETL_TEST_LOGIN_PREFIX') })
  const url = componentUrl(databaseUrl, login)
  const file = passwordFile(required('SRETL_TEST_SECRETS_DIR'), login)
  return {
    login,
    url,
    passwordFile: file,
    env: { DATABASE_URL: url, DATABASE_PASSWORD_FILE: file },
    settings: { url, passwordFile: file },
  }
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * Environment for running the program against the test services: the run's broker, the given
 * database, a topic prefix of its own, and a private SRETL_HOME.
 */
export function testEnv(
  options: { databaseUrl?: string; topicPrefix?: string; extra?: Env } = {},
): Record<string, string> {
  const home = mkdtempSync(join(required('SRETL_TEST_RUN_DIR'), 'home-'))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? home,
    SRETL_HOME: home,
    SRETL_CACHE_DIR: loadConfig(process.env, baseConfigSection).paths.cache,
    KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrap(),
    // topics get as many replicas as the run's cluster has nodes (SRETL_TEST_BROKERS)
    KAFKA_REPLICATION_FACTOR: process.env.SRETL_TEST_KAFKA_REPLICATION ?? '1',
    TOPIC_PREFIX: options.topicPrefix ?? `t${uniqueId()}.`,
    // test files run side by side on one broker: landers of different files must not share a
    // consumer group (each join would rebalance the other file's landers)
    LANDER_GROUP_ID: `sretl-lander-${uniqueId()}`,
    LOG_LEVEL: 'warn',
  }
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl
  for (const [k, v] of Object.entries(options.extra ?? {})) if (v !== undefined) env[k] = v
  return env
}

/**
 * An environment in which `sretl up` starts its own Kafka on free ports (instead of reusing the
 * run's broker), against the given database, with a private SRETL_HOME; Prometheus, Alertmanager
 * and the PostgreSQL exporter get free ports too.
 */
export async function upEnv(databaseUrl: string): Promise<Record<string, string>> {
  const env = testEnv({ databaseUrl, extra: await monitoringPorts() })
  delete env.KAFKA_BOOTSTRAP_SERVERS
  delete env.KAFKA_REPLICATION_FACTOR
  env.KAFKA_PORT = String(await findFreePort())
  env.KAFKA_CONTROLLER_PORT = String(await findFreePort())
  env.KAFKA_HEAP = '256m'
  // the stack's components listen too; never on the default ports a developer's own stack uses
  env.GATEWAY_PORT = String(await findFreePort())
  env.SIMULATOR_PORT = String(await findFreePort())
  env.LANDER_PORT = String(await findFreePort())
  env.CONTROL_PORT = String(await findFreePort())
  // the stack's components run under logins of their own, as on a laptop (named for this run)
  env.DATABASE_LOGINS = 'per-component'
  env.DATABASE_LOGIN_PREFIX = `${required('SRETL_TEST_LOGIN_PREFIX')}u${uniqueId()}_`
  return env
}

/** Free ports for the monitoring parts `sretl up` starts, so tests never meet 9090/9093/9187. */
export async function monitoringPorts(): Promise<Record<string, string>> {
  return {
    PROMETHEUS_PORT: String(await findFreePort()),
    ALERTMANAGER_PORT: String(await findFreePort()),
    POSTGRES_EXPORTER_PORT: String(await findFreePort()),
  }
}

/** The parsed configuration of a test environment, as a component would see it. */
export function configFor(env: Env): BaseConfig {
  return loadConfig(env, baseConfigSection)
}

/** Creates the pipeline's topics under the environment's prefix on the run's broker. */
export async function createTopicsFor(kafka: KafkaConfig): Promise<void> {
  const admin = createAdmin(kafka, 'test-admin')
  try {
    await ensureTopics(admin, topicSpecs(kafka))
  } finally {
    await admin.close()
  }
}

export interface PipelineEnv {
  readonly env: Record<string, string>
  readonly kafka: KafkaConfig
  /** The database as sretl_reader, as the tests read what landed. */
  readonly pool: Pool
}

/**
 * A test environment against `db` (or `databaseUrl`, for a path through a proxy) whose topic
 * prefix already has the pipeline's topics.
 */
export async function pipelineEnv(
  db: TestDatabase,
  extra: Env = {},
  options: { databaseUrl?: string } = {},
): Promise<PipelineEnv> {
  const env = testEnv({ databaseUrl: options.databaseUrl ?? db.url, extra })
  const kafka = configFor(env).kafka
  await createTopicsFor(kafka)
  return { env, kafka, pool: db.pool('sretl_reader') }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `sretl <args>` to completion. */
export function runCli(args: readonly string[], env: Env, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `sretl ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      )
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export interface BackgroundCli {
  readonly child: ChildProcess
  readonly output: () => string
  /** Resolves with the first output line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>
  readonly exited: Promise<number | null>
}

/** Starts `sretl <args>` and keeps it running (for `up`, components). */
export function startCli(args: readonly string[], env: Env): BackgroundCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = []
  const onLine = (line: string): void => {
    lines.push(line)
    for (const w of [...waiters]) {
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(line)
      }
    }
  }
  createInterface({ input: child.stdout }).on('line', onLine)
  createInterface({ input: child.stderr }).on('line', onLine)
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    child,
    output: () => lines.join('\n'),
    exited,
    waitForLine(pattern, timeoutMs = 120_000) {
      const seen = lines.find((l) => pattern.test(l))
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; output:\n${lines.join('\n')}`)),
          timeoutMs,
        )
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer)
            resolve(line)
          },
        })
        void exited.then((code) => {
          clearTimeout(timer)
          reject(
            new Error(`sretl exited (code ${code}) before printing ${pattern}; output:\n${lines.join('\n')}`),
          )
        })
      })
    },
  }
}

/** Polls `probe` until it returns a value that is not undefined/false, or fails with `message`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200))
  }
  throw new Error(
    `${options.message ?? 'condition not met'} within ${options.timeoutMs ?? 30_000} ms${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`,
  )
}
