/**
 * `npm run bench:lander [-- --events N --steady-seconds S --rate R]`
 *
 * 1. Loads N realistic events (bench/event-generator.ts) into a fresh topic of 6 partitions, and
 *    writes the same rows as a COPY text file.
 * 2. Times `psql \copy` of that file into sales_raw of a fresh database (the same migrations, so
 *    the same partitions and indexes): the physical reference on this machine.
 * 3. Times the lander (its default settings) draining the topic into sales_raw of another fresh
 *    database, and prints both rates and their ratio (target ≥ 0.5).
 * 4. Produces R events/s for S seconds, each stamped with the time just before it is sent, and
 *    prints the event_time → commit latency percentiles of the rows landed (target P95 ≤ 500 ms).
 *
 * Starts its own Kafka broker unless KAFKA_BOOTSTRAP_SERVERS is set; uses DATABASE_URL (or the
 * local server) for the two databases it creates and drops. Prints the figures; asserts nothing.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { uuidv7 } from '../src/domain/ids.ts'
import type { SaleLine } from '../src/domain/sale-line.ts'
import { COPY_COLUMNS, copyLine } from '../src/lander/copy-encoder.ts'
import { baseConfigSection, type KafkaConfig } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import {
  createAdmin,
  createProducer,
  ensureTopics,
  sendWithTimeout,
  type BytesMessage,
} from '../src/platform/kafka.ts'
import { prepareDatabase } from '../src/platform/schema.ts'
import { topicNames, topicSpecs, type TopicNames } from '../src/platform/topics.ts'
import { startKafkaBroker, type KafkaBroker } from '../src/stack/kafka-broker.ts'
import { findFreePort } from '../src/stack/ports.ts'
import { ensurePostgres } from '../src/stack/postgres-server.ts'
import { generateEvents } from './event-generator.ts'
import { startBenchLander, type BenchLander } from './bench-lander.ts'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'steady-seconds': { type: 'string', default: '120' },
    rate: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '1' },
  },
})
const N = Number(values.events)
const STEADY_SECONDS = Number(values['steady-seconds'])
const RATE = Number(values.rate)
/** Rounds of (psql \copy, lander drain), each into fresh databases; the median ratio is reported. */
const REPEAT = Math.max(1, Number(values.repeat))
const log = (text: string): void => void process.stdout.write(`${text}\n`)

const cleanups: (() => Promise<void>)[] = []
async function cleanup(): Promise<void> {
  while (cleanups.length > 0) {
    await cleanups
      .pop()?.()
      .catch((err: unknown) => log(`clean-up step failed: ${String(err)}`))
  }
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)))

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('close', (code) => resolve({ code, output }))
  })
}

export interface Setup {
  readonly kafka: KafkaConfig
  readonly topics: TopicNames
  readonly serverUrl: string
  readonly copyFile: string
}

/** A fresh database with the program's schema (migrations, partitions), dropped at the end. */
async function freshDatabase(setup: Setup, name: string): Promise<string> {
  await admin(setup.serverUrl, `CREATE DATABASE ${name}`)
  cleanups.push(async () => {
    // a connection still closing can make the first attempt fail
    for (let attempt = 1; ; attempt += 1) {
      try {
        await admin(setup.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        return
      } catch (err) {
        if (attempt >= 5) throw err
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }
  })
  const url = withDatabase(setup.serverUrl, name)
  await prepareDatabase(url)
  return url
}

async function timePsqlCopy(setup: Setup, url: string): Promise<number> {
  const start = performance.now()
  const copied = await run('psql', [
    url,
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    `\\copy sales_raw (${COPY_COLUMNS.join(', ')}) FROM '${setup.copyFile}'`,
  ])
  if (copied.code !== 0) throw new Error(`psql \\copy failed: ${copied.output}`)
  return (performance.now() - start) / 1000
}

interface Round {
  readonly copySeconds: number
  readonly drainSeconds: number
  readonly startupSeconds: number
  readonly afterFirstCommitRate: number
  readonly transactionShare: number
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

async function main(): Promise<void> {
  const started = new Date()
  const base = loadConfig(process.env, baseConfigSection)
  const dir = mkdtempSync(join(tmpdir(), 'sretl-bench-'))
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true })
    return Promise.resolve()
  })

  // Kafka: the one given, or a broker of our own
  let kafka: KafkaConfig = { ...base.kafka, topicPrefix: `bench${process.pid}.` }
  if (!process.env.KAFKA_BOOTSTRAP_SERVERS) {
    const broker: KafkaBroker = await startKafkaBroker({
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
    cleanups.push(() => broker.stop())
    kafka = { ...kafka, bootstrapServers: [broker.bootstrap] }
  }
  const topics = topicNames(kafka)
  const kafkaAdmin = createAdmin(kafka, 'bench-admin')
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
  await kafkaAdmin.close()

  const pgHandle = await ensurePostgres({
    url: base.postgres.url,
    explicit: base.postgres.explicit,
    connectTimeoutMs: base.postgres.connectTimeoutMs,
    onProgress: () => undefined,
  })
  const versionClient = new pg.Client({ connectionString: pgHandle.url })
  await versionClient.connect()
  const pgVersion =
    (await versionClient.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ??
    '?'
  await versionClient.end()
  const setup: Setup = { kafka, topics, serverUrl: pgHandle.url, copyFile: join(dir, 'rows.copy') }

  // 1. the events: into Kafka and, as the same rows, into a COPY file
  log(`Loading ${fmt(N)} events (bench/event-generator.ts, seed 42)…`)
  const fd = openSync(setup.copyFile, 'w')
  const producer = createProducer(kafka, 'bench-producer')
  cleanups.push(() => producer.close())
  const now = Date.now()
  let messages: BytesMessage[] = []
  let lines: string[] = []
  const loadStart = performance.now()
  let valueBytes = 0
  for (const event of generateEvents(N, { from: now - 20 * 3600_000, to: now - 60_000 })) {
    const value = Buffer.from(JSON.stringify(event))
    valueBytes += value.byteLength
    messages.push({ topic: topics.salesEvents, key: Buffer.from(event.store_id), value })
    lines.push(copyLine(event))
    if (messages.length === 5000) {
      await sendWithTimeout(producer, messages, 120_000)
      writeSync(fd, lines.join(''))
      messages = []
      lines = []
    }
  }
  if (messages.length > 0) {
    await sendWithTimeout(producer, messages, 120_000)
    writeSync(fd, lines.join(''))
  }
  closeSync(fd)
  log(
    `  produced in ${((performance.now() - loadStart) / 1000).toFixed(1)} s (${Math.round(valueBytes / N)} bytes of JSON per event)`,
  )

  // 2 + 3, alternating so that both see the machine in the same state
  const rounds: Round[] = []
  let lander: BenchLander | undefined
  for (let r = 1; r <= REPEAT; r += 1) {
    const copyUrl = await freshDatabase(setup, `sretl_bench_${process.pid}_copy${r}`)
    const landerUrl = await freshDatabase(setup, `sretl_bench_${process.pid}_lander${r}`)
    const copySeconds = await timePsqlCopy(setup, copyUrl)
    log(`Round ${r}: psql \\copy ${copySeconds.toFixed(1)} s, ${fmt(N / copySeconds)} rows/s`)
    await lander?.stop()
    const drainStart = performance.now()
    lander = startBenchLander(setup, landerUrl, `bench-lander-${r}`)
    await lander.waitForRecords(N)
    const { stats } = lander
    const drainSeconds = (stats.lastCommit - drainStart) / 1000
    const tx = await lander.transactionSeconds()
    const round: Round = {
      copySeconds,
      drainSeconds,
      startupSeconds: (stats.firstCommit - drainStart) / 1000,
      afterFirstCommitRate: N / ((stats.lastCommit - stats.firstCommit) / 1000),
      transactionShare: tx.seconds / drainSeconds,
    }
    rounds.push(round)
    log(
      `Round ${r}: lander ${drainSeconds.toFixed(1)} s, ${fmt(N / drainSeconds)} rows/s (first commit after ${round.startupSeconds.toFixed(1)} s; ${fmt(round.afterFirstCommitRate)} rows/s from then; ${tx.count} transactions, ${Math.round(100 * round.transactionShare)} % of the time in them); ratio ${(copySeconds / drainSeconds).toFixed(2)}`,
    )
  }
  if (!lander) throw new Error('no round ran')
  const ratios = rounds.map((r) => r.copySeconds / r.drainSeconds)
  const copyRate = N / median(rounds.map((r) => r.copySeconds))
  const landerRate = N / median(rounds.map((r) => r.drainSeconds))

  // 4. steady load: latency from the till's clock to the committed row
  let latency: { p50: number; p95: number; p99: number; max: number; rows: number } | undefined
  let produceLatency: { p50: number; p95: number; p99: number } | undefined
  if (STEADY_SECONDS > 0) {
    log(`Steady ${RATE} events/s for ${STEADY_SECONDS} s…`)
    const total = RATE * STEADY_SECONDS
    const source = generateEvents(total, { seed: 7, from: now, to: now + STEADY_SECONDS * 1000 })
    const start = Date.now()
    lander.steadyFrom = start
    let sent = 0
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - start) * RATE) / 1000))
      const batch: BytesMessage[] = []
      for (; sent < due; sent += 1) {
        const next = source.next()
        if (next.done === true) break
        const event: SaleLine = next.value
        const time = Date.now()
        const stamped = {
          ...event,
          event_time: new Date(time).toISOString(),
          event_id: uuidv7(time, randomBytes(10)),
        }
        batch.push({
          topic: topics.salesEvents,
          key: Buffer.from(event.store_id),
          value: Buffer.from(JSON.stringify(stamped)),
        })
      }
      if (batch.length > 0) await sendWithTimeout(producer, batch, 30_000)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await lander.waitForRecords(N + total)
    const sorted = [...lander.eventLatencies].sort((a, b) => a - b)
    const sortedProduce = [...lander.produceLatencies].sort((a, b) => a - b)
    latency = {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? NaN,
      rows: sorted.length,
    }
    produceLatency = {
      p50: percentile(sortedProduce, 50),
      p95: percentile(sortedProduce, 95),
      p99: percentile(sortedProduce, 99),
    }
  }
  await lander.stop()

  const cpu = cpus()
  const config = lander.config
  log('')
  log(`## Lander benchmark — ${started.toISOString().slice(0, 10)}`)
  log('')
  log(
    `Machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}; PostgreSQL ${pgVersion}, Kafka ${base.kafka.local.version}, Node ${process.version}. Events: ${fmt(N)} (~${Math.round(valueBytes / N)} B of JSON each), 6 partitions; lander defaults (batch ≤ ${config.batch.maxRows} rows / ${config.batch.maxWaitMs} ms; direct COPY ${config.directCopy ? 'on' : 'off'}); ${REPEAT} round(s), medians shown.`,
  )
  log('')
  log('| measure | value |')
  log('| --- | --- |')
  log(`| psql \\copy into sales_raw | ${fmt(copyRate)} rows/s |`)
  log(`| lander, Kafka → sales_raw (start to last commit) | ${fmt(landerRate)} rows/s |`)
  log(
    `| ratio lander / psql \\copy (target ≥ 0.5) | ${median(ratios).toFixed(2)} (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')}) |`,
  )
  if (latency && produceLatency) {
    log(
      `| event_time → commit at ${RATE}/s for ${STEADY_SECONDS} s (target P95 ≤ 500 ms) | P50 ${latency.p50} ms, P95 ${latency.p95} ms, P99 ${latency.p99} ms, max ${latency.max} ms (${fmt(latency.rows)} rows) |`,
    )
    log(
      `| produce → commit | P50 ${produceLatency.p50} ms, P95 ${produceLatency.p95} ms, P99 ${produceLatency.p99} ms |`,
    )
  }
  log('')
  log(
    JSON.stringify({
      date: started.toISOString(),
      events: N,
      rounds,
      ratio: median(ratios),
      copyRowsPerSecond: Math.round(copyRate),
      landerRowsPerSecond: Math.round(landerRate),
      latencyMs: latency,
      produceLatencyMs: produceLatency,
    }),
  )
}

try {
  await main()
} finally {
  await cleanup()
}
