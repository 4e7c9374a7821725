/**
 * Once per `npm test`: a Kafka broker of its own (free ports, a fresh data directory; a cluster of
 * three nodes with SRETL_TEST_BROKERS=3) and a migrated template database on the PostgreSQL
 * server, both removed afterwards. Test files get them through environment variables (see
 * harness.ts). Leftovers of an earlier run that was killed are cleaned up first.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { baseConfigSection, type BaseConfig } from '../../src/platform/base-config.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { ensureLogins } from '../../src/database/db-logins.ts'
import { prepareDatabase } from '../../src/database/schema.ts'
import { startKafkaCluster, type KafkaCluster } from '../../src/stack/kafka-cluster.ts'
import { findJava } from '../../src/stack/java.ts'
import { ensureKafkaDist } from '../../src/stack/kafka-dist.ts'
import { isPidAlive, stopPid } from '../../src/stack/managed-process.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { ensurePostgres } from '../../src/stack/postgres-server.ts'
import { dropDatabaseForced } from '../../src/platform/postgres.ts'

/** The jars and the Java the nodes run on (the tests run Kafka's own tools with them). */
async function kafkaRuntime(config: BaseConfig) {
  const dist = await ensureKafkaDist({
    version: config.kafka.local.version,
    cacheDir: config.paths.cache,
    mavenCmd: config.kafka.local.mavenCmd,
    onProgress: () => undefined,
  })
  return { dist, java: await findJava(config.kafka.local.javaHome) }
}

const RUNS_DIR_PREFIX = 'sretl-test-'
let broker: KafkaCluster | undefined
let runDir: string | undefined
let adminUrl: string | undefined
let dbPrefix: string | undefined
let loginPrefix: string | undefined

export async function globalSetup(): Promise<void> {
  const started = Date.now()
  const config = loadConfig(process.env, baseConfigSection)
  await cleanStaleRuns()
  runDir = mkdtempSync(join(tmpdir(), RUNS_DIR_PREFIX))
  writeFileSync(join(runDir, 'owner.pid'), `${process.pid}\n`)
  const log = (text: string): void => void process.stderr.write(`[test setup] ${text}\n`)

  const postgres = await ensurePostgres({
    url: config.postgres.url,
    explicit: config.postgres.explicit,
    connectTimeoutMs: config.postgres.connectTimeoutMs,
    onProgress: (e) => e.detail && log(e.detail),
  })
  adminUrl = postgres.url
  dbPrefix = `sretl_test_${process.pid}_`
  const template = `${dbPrefix}template`
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${template}`))
  await prepareDatabase(withDatabase(adminUrl, template))
  await withAdmin(adminUrl, (c) => c.query(`ALTER DATABASE ${template} IS_TEMPLATE true`))
  // the components' own logins, named for this run (roles are cluster-wide and runs overlap)
  loginPrefix = `sretl_t${process.pid}_`
  await ensureLogins({
    admin: { url: adminUrl },
    dir: join(runDir, 'secrets'),
    names: { prefix: loginPrefix },
  })

  // SRETL_TEST_BROKERS=3: the whole run against a three-node cluster (ADR 0063); one by default
  const nodes = process.env.SRETL_TEST_BROKERS === '3' ? 3 : 1
  const ports = []
  for (let i = 0; i < nodes; i++)
    ports.push({ port: await findFreePort(), controllerPort: await findFreePort() })
  broker = await startKafkaCluster({
    nodes,
    version: config.kafka.local.version,
    port: ports[0]?.port ?? 0,
    controllerPort: ports[0]?.controllerPort ?? 0,
    ports,
    heap: nodes === 1 ? '512m' : '384m',
    dataDir: join(runDir, 'kafka'),
    logDir: runDir,
    runDir,
    cacheDir: config.paths.cache,
    startTimeoutMs: 120_000,
    javaHome: config.kafka.local.javaHome,
    mavenCmd: config.kafka.local.mavenCmd,
    onProgress: (e) => e.detail && log(e.detail),
    overrides: { 'group.initial.rebalance.delay.ms': '0', 'offsets.commit.timeout.ms': '5000' },
  })
  const { dist, java } = await kafkaRuntime(config)
  Object.assign(process.env, {
    SRETL_TEST_RUN_DIR: runDir,
    SRETL_TEST_KAFKA_BOOTSTRAP: broker.bootstrap,
    SRETL_TEST_KAFKA_REPLICATION: String(nodes),
    SRETL_TEST_KAFKA_CLASSPATH: dist.classpath,
    SRETL_TEST_JAVA: java.executable,
    SRETL_TEST_ADMIN_URL: adminUrl,
    SRETL_TEST_DB_PREFIX: dbPrefix,
    SRETL_TEST_TEMPLATE_DB: template,
    SRETL_TEST_LOGIN_PREFIX: loginPrefix,
    SRETL_TEST_SECRETS_DIR: join(runDir, 'secrets'),
  })
  log(
    `Kafka at ${broker.bootstrap}, template database ${template}, run dir ${runDir} (${Date.now() - started} ms)`,
  )
}

export async function globalTeardown(): Promise<void> {
  await broker?.stop()
  if (adminUrl && dbPrefix) await dropDatabases(adminUrl, (name) => name.startsWith(dbPrefix ?? '\0'))
  if (adminUrl && loginPrefix) await dropLogins(adminUrl, (name) => name.startsWith(loginPrefix ?? '\0'))
  if (runDir) rmSync(runDir, { recursive: true, force: true })
}

/** Kafka brokers and databases of earlier runs whose test process is gone. */
async function cleanStaleRuns(): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(RUNS_DIR_PREFIX))) {
    const dir = join(tmpdir(), name)
    const owner = readPid(join(dir, 'owner.pid'))
    if (owner !== undefined && isPidAlive(owner)) continue
    for (const file of ['kafka.pid', 'kafka-1.pid', 'kafka-2.pid', 'kafka-3.pid']) {
      const kafka = readPid(join(dir, file))
      if (kafka !== undefined) await stopPid(kafka, 10_000)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const config = loadConfig(process.env, baseConfigSection)
  try {
    await dropDatabases(config.postgres.url, (db) => {
      const match = /^sretl_test_(\d+)_/.exec(db)
      return match !== null && !isPidAlive(Number(match[1]))
    })
    await dropLogins(config.postgres.url, (role) => {
      const match = /^sretl_t(\d+)_/.exec(role)
      return match !== null && !isPidAlive(Number(match[1]))
    })
  } catch {
    // the server may not be up yet; ensurePostgres reports that properly
  }
}

/** The run's component logins (they own nothing, so DROP ROLE needs no REASSIGN). */
async function dropLogins(url: string, match: (name: string) => boolean): Promise<void> {
  await withAdmin(url, async (c) => {
    const { rows } = await c.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE rolname LIKE 'sretl\\_t%\\_%'",
    )
    for (const { rolname } of rows.filter((r) => match(r.rolname))) {
      await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(rolname)}`).catch(() => undefined)
    }
  })
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

async function dropDatabases(url: string, match: (name: string) => boolean): Promise<void> {
  await withAdmin(url, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'sretl\\_test\\_%'",
    )
    for (const { datname } of rows.filter((r) => match(r.datname))) {
      await c.query(`ALTER DATABASE ${pg.escapeIdentifier(datname)} IS_TEMPLATE false`)
      await dropDatabaseForced((sql) => c.query(sql), datname)
    }
  })
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** The Kafka cluster this process's globalSetup started (the chaos suite's C3 kills its nodes). */
export function testKafkaCluster(): KafkaCluster | undefined {
  return broker
}
