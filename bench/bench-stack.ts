/**
 * What the landing benchmarks share: a Kafka broker of their own (unless KAFKA_BOOTSTRAP_SERVERS
 * is set) with the pipeline's topics, fresh databases with the program's schema, the generated
 * events loaded into the input topic, and clean-up of all of it — also on Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import type { SaleLine } from '../src/domain/sale-line.ts'
import type { BaseConfig, KafkaConfig } from '../src/platform/base-config.ts'
import {
  createAdmin,
  createProducer,
  ensureTopics,
  sendWithTimeout,
  type BytesMessage,
} from '../src/platform/kafka.ts'
import { createHash } from 'node:crypto'
import { ensureSalesRawPartitions, utcDay } from '../src/database/partitions.ts'
import { dropDatabaseForced } from '../src/platform/postgres.ts'
import { prepareDatabase } from '../src/database/schema.ts'
import type { HistoryPlan } from '../src/simulator/history.ts'
import { topicNames, topicSpecs, type TopicNames } from '../src/platform/topics.ts'
import { startKafkaBroker } from '../src/stack/kafka-broker.ts'
import { findFreePort } from '../src/stack/ports.ts'
import { ensurePostgres } from '../src/stack/postgres-server.ts'
import { historySimulatorEvents, liveSimulatorSource, planSimulatorHistory } from './simulator-events.ts'

export const log = (text: string): void => void process.stdout.write(`${text}\n`)
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN

/** Prints a benchmark's usage and exits (its `--help`). */
export function exitWithUsage(usage: string): never {
  log(usage)
  process.exit(0)
}

/** `--help` or `-h` among the arguments of a benchmark that takes no others. */
export const helpAsked = (): boolean => process.argv.slice(2).some((a) => a === '--help' || a === '-h')

export interface LandingBenchArgs {
  /** Events loaded into the topic and drained. */
  readonly events: number
  /** Seconds of steady load after the drains (0: none). */
  readonly steadySeconds: number
  /** Events per second of the steady load. */
  readonly rate: number
  /** Rounds of the compared drains, each into fresh databases; medians are reported. */
  readonly repeat: number
  /** The simulated history to load (seed, size, fixed start), checked before any work. */
  readonly history: HistoryPlan
}

/**
 * The landing benchmarks' options (`--events N --steady-seconds S --rate R --repeat K`); `--help`
 * prints `usage` and exits, a value that is not a whole number stops with the option's name.
 */
export function landingBenchArgs(usage: string): LandingBenchArgs {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      'steady-seconds': { type: 'string', default: '120' },
      rate: { type: 'string', default: '1000' },
      repeat: { type: 'string', default: '1' },
      seed: { type: 'string', default: 'bench-42' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) exitWithUsage(usage)
  const whole = (name: 'events' | 'steady-seconds' | 'rate' | 'repeat', min: number): number => {
    const n = Number(values[name])
    if (!Number.isInteger(n) || n < min) {
      process.stderr.write(`--${name} must be a whole number ≥ ${min} (got ${values[name]})\n`)
      process.exit(2)
    }
    return n
  }
  const events = whole('events', 1)
  let history: HistoryPlan
  try {
    history = planSimulatorHistory(events, values.seed)
  } catch (err) {
    // before any broker or database is started: the size cannot be produced, and why
    process.stderr.write(`--events ${events} --seed ${values.seed}: ${(err as Error).message}\n`)
    process.exit(2)
  }
  return {
    events,
    steadySeconds: whole('steady-seconds', 0),
    rate: whole('rate', 1),
    repeat: whole('repeat', 1),
    history,
  }
}

/** The seed and the simulated span of the loaded events, for the results. */
export function describeHistory(plan: HistoryPlan, loaded: LoadedEvents): string {
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')
  const hours = (loaded.lastMs - loaded.firstMs) / 3_600_000
  return `seed ${plan.seed}, simulated ${iso(loaded.firstMs)} → ${iso(loaded.lastMs)} (${hours.toFixed(1)} h), sha256 of the events ${loaded.sha256.slice(0, 16)}…`
}

const cleanups: (() => Promise<void>)[] = []

/** What the benchmark's landers read from and write to. */
export interface Setup {
  readonly kafka: KafkaConfig
  readonly topics: TopicNames
  readonly serverUrl: string
  readonly copyFile: string
}

/** Runs `fn` at the end (last registered first), whether the benchmark finished or failed. */
export function atCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(async () => {
    await fn()
  })
}

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) {
    await cleanups
      .pop()?.()
      .catch((err: unknown) => log(`clean-up step failed: ${String(err)}`))
  }
}

/** Runs a benchmark's main and cleans up after it. */
export async function runBenchmark(main: () => Promise<void>): Promise<void> {
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)))
  try {
    await main()
  } finally {
    await cleanup()
  }
}

export async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * A fresh database with the program's schema (migrations, partitions) and, if asked, the
 * reference data; dropped at the end.
 */
export async function freshDatabase(
  serverUrl: string,
  name: string,
  load?: (client: pg.Client) => Promise<unknown>,
  days?: { readonly fromMs: number; readonly toMs: number },
): Promise<string> {
  await admin(serverUrl, `CREATE DATABASE ${name}`)
  atCleanup(() => dropDatabaseForced((sql) => admin(serverUrl, sql), name))
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  const url = u.toString()
  await prepareDatabase(url)
  if (days) {
    // the simulated history's days (its dates are fixed, not around today)
    const client = new pg.Client({ connectionString: url, options: '-c role=sretl_owner' })
    await client.connect()
    try {
      await ensureSalesRawPartitions(
        client,
        utcDay(new Date(days.fromMs), -1),
        utcDay(new Date(days.toMs), 1),
      )
    } finally {
      await client.end()
    }
  }
  if (load) {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await load(client)
    } finally {
      await client.end()
    }
  }
  return url
}

/**
 * What the landing benchmarks start from: a work directory (removed at the end), the Kafka of
 * `benchKafka` and the PostgreSQL server (started if it is down).
 */
export async function benchSetup(
  base: BaseConfig,
  name: string,
  copyFile?: (dir: string) => string,
): Promise<Setup & { readonly dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `sretl-${name}-`))
  atCleanup(() => rmSync(dir, { recursive: true, force: true }))
  const { kafka, topics } = await benchKafka(base, dir, `${name.replaceAll('-', '')}${process.pid}.`)
  const server = await ensurePostgres({
    url: base.postgres.url,
    explicit: base.postgres.explicit,
    connectTimeoutMs: base.postgres.connectTimeoutMs,
    onProgress: () => undefined,
  })
  return { dir, kafka, topics, serverUrl: server.url, copyFile: copyFile?.(dir) ?? '' }
}

/** The Kafka given in the environment, or a broker of the benchmark's own; topics created. */
export async function benchKafka(
  base: BaseConfig,
  dir: string,
  topicPrefix: string,
): Promise<{ kafka: KafkaConfig; topics: TopicNames }> {
  let kafka: KafkaConfig = { ...base.kafka, topicPrefix }
  if (!process.env.KAFKA_BOOTSTRAP_SERVERS) {
    const broker = await startKafkaBroker({
      version: base.kafka.local.version,
      port: await findFreePort(),
      controllerPort: await findFreePort(),
      heap: '1g',
      dataDir: join(dir, 'kafka'),
      logFile: join(dir, 'kafka.log'),
      pidFile: join(dir, 'kafka.pid'),
      cacheDir: base.paths.cache,
      startTimeoutMs: 120_000,
      javaHome: base.kafka.local.javaHome,
      mavenCmd: base.kafka.local.mavenCmd,
      onProgress: () => undefined,
      overrides: { 'group.initial.rebalance.delay.ms': '0' },
    })
    atCleanup(() => broker.stop())
    kafka = { ...kafka, bootstrapServers: [broker.bootstrap] }
  }
  const kafkaAdmin = createAdmin(kafka, 'bench-admin')
  try {
    await ensureTopics(kafkaAdmin, topicSpecs(kafka))
    // a fresh broker creates __consumer_offsets at the first group request; not the lander's time
    for (let attempt = 0; ; attempt += 1) {
      try {
        await kafkaAdmin.describeGroups({ groups: ['bench-warm-up'] })
        break
      } catch (err) {
        if (attempt >= 60) throw err
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
  } finally {
    await kafkaAdmin.close()
  }
  return { kafka, topics: topicNames(kafka) }
}

export interface LoadedEvents {
  /** Bytes of the events' JSON values. */
  readonly valueBytes: number
  /** event_time of the first and last event (the simulated span), ms. */
  readonly firstMs: number
  readonly lastMs: number
  /** SHA-256 of every value in order: equal for equal events. */
  readonly sha256: string
}

/**
 * Produces the plan's events (the store simulator's generator over its fixed simulated history)
 * to the input topic, keyed by store; `onChunk` sees each acknowledged chunk.
 */
export async function loadGeneratedEvents(
  kafka: KafkaConfig,
  plan: HistoryPlan,
  onChunk: (events: readonly SaleLine[]) => void = () => undefined,
): Promise<LoadedEvents> {
  const topic = topicNames(kafka).salesEvents
  const producer = createProducer(kafka, 'bench-producer')
  const hash = createHash('sha256')
  let messages: BytesMessage[] = []
  let events: SaleLine[] = []
  let valueBytes = 0
  let firstMs = Number.POSITIVE_INFINITY
  let lastMs = Number.NEGATIVE_INFINITY
  const flush = async (): Promise<void> => {
    await sendWithTimeout(producer, messages, 120_000)
    onChunk(events)
    messages = []
    events = []
  }
  try {
    for (const event of historySimulatorEvents(plan)) {
      const value = Buffer.from(JSON.stringify(event))
      valueBytes += value.byteLength
      hash.update(value)
      const at = Date.parse(event.event_time)
      if (at < firstMs) firstMs = at
      if (at > lastMs) lastMs = at
      messages.push({ topic, key: Buffer.from(event.store_id), value })
      events.push(event)
      if (messages.length === 5000) await flush()
    }
    if (messages.length > 0) await flush()
  } finally {
    await producer.close()
  }
  return { valueBytes, firstMs, lastMs, sha256: hash.digest('hex') }
}

/**
 * Produces `rate` events per second for `seconds` from the simulator's generator on `clock`
 * (default the live clock; each stamped as it is taken, just before it is sent), in small paced
 * batches. Returns how many.
 */
export async function produceSteady(
  kafka: KafkaConfig,
  rate: number,
  seconds: number,
  clock: () => number = Date.now,
): Promise<number> {
  const topic = topicNames(kafka).salesEvents
  const producer = createProducer(kafka, 'bench-steady')
  const source = liveSimulatorSource('bench-steady', clock)
  const total = rate * seconds
  const start = Date.now()
  let sent = 0
  try {
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - start) * rate) / 1000))
      if (due > sent) {
        const batch: BytesMessage[] = source
          .take(due - sent)
          .map((m) => ({ topic, key: m.key, value: m.value }))
        await sendWithTimeout(producer, batch, 30_000)
        sent += batch.length
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    await producer.close()
  }
  return total
}
