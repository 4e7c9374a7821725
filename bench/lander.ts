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
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { uuidv7 } from '../src/domain/ids.ts'
import type { SaleLine } from '../src/domain/sale-line.ts'
import { landerOwnSection } from '../src/lander/config.ts'
import { COPY_COLUMNS, copyLine } from '../src/lander/copy-encoder.ts'
import { createLander } from '../src/lander/lander.ts'
import type { LandingResult } from '../src/lander/landing.ts'
import { createLanderMetrics } from '../src/lander/metrics.ts'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import {
  createAdmin,
  createConsumer,
  createProducer,
  ensureTopics,
  sendWithTimeout,
  type BytesMessage,
} from '../src/platform/kafka.ts'
import { silentLogger } from '../src/platform/logger.ts'
import { createMetricsRegistry } from '../src/platform/metrics.ts'
import { createPool } from '../src/platform/postgres.ts'
import { prepareDatabase } from '../src/platform/schema.ts'
import { topicNames, topicSpecs } from '../src/platform/topics.ts'
import { startKafkaBroker, type KafkaBroker } from '../src/stack/kafka-broker.ts'
import { findFreePort } from '../src/stack/ports.ts'
import { ensurePostgres } from '../src/stack/postgres-server.ts'
import { generateEvents } from './event-generator.ts'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'steady-seconds': { type: 'string', default: '120' },
    rate: { type: 'string', default: '1000' },
  },
})
const N = Number(values.events)
const STEADY_SECONDS = Number(values['steady-seconds'])
const RATE = Number(values.rate)
const log = (text: string): void => void process.stdout.write(`${text}\n`)

const cleanups: (() => Promise<void>)[] = []
async function cleanup(): Promise<void> {
  while (cleanups.length > 0)
    await cleanups
      .pop()?.()
      .catch(() => undefined)
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

async function main(): Promise<void> {
  const started = new Date()
  const base = loadConfig(process.env, baseConfigSection)
  const dir = mkdtempSync(join(tmpdir(), 'sretl-bench-'))
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true })
    return Promise.resolve()
  })

  // Kafka: the one given, or a broker of our own
  let kafka = { ...base.kafka, topicPrefix: `bench${process.pid}.` }
  if (!process.env.KAFKA_BOOTSTRAP_SERVERS) {
    const port = await findFreePort()
    const broker: KafkaBroker = await startKafkaBroker({
      version: base.kafka.local.version,
      port,
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
  await kafkaAdmin.close()

  // PostgreSQL: two fresh databases from the same migrations
  const pgHandle = await ensurePostgres({
    url: base.postgres.url,
    explicit: base.postgres.explicit,
    connectTimeoutMs: base.postgres.connectTimeoutMs,
    onProgress: () => undefined,
  })
  const dbCopy = `sretl_bench_${process.pid}_copy`
  const dbLander = `sretl_bench_${process.pid}_lander`
  for (const name of [dbCopy, dbLander]) {
    await admin(pgHandle.url, `CREATE DATABASE ${name}`)
    cleanups.push(() => admin(pgHandle.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    await prepareDatabase(withDatabase(pgHandle.url, name))
  }
  const versionClient = new pg.Client({ connectionString: pgHandle.url })
  await versionClient.connect()
  const pgVersion =
    (await versionClient.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ??
    '?'
  await versionClient.end()

  // 1. the events: into Kafka and into a COPY file
  log(`Loading ${N.toLocaleString('en-US')} events (bench/event-generator.ts, seed 42)…`)
  const copyFile = join(dir, 'rows.copy')
  const fd = openSync(copyFile, 'w')
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
  const loadSeconds = (performance.now() - loadStart) / 1000
  log(`  produced in ${loadSeconds.toFixed(1)} s (${Math.round(valueBytes / N)} bytes per event on average)`)

  // 2. the reference: psql \copy into an identical fresh table
  log('Timing psql \\copy into a fresh sales_raw (same partitions and indexes)…')
  const copyStart = performance.now()
  const copied = await run('psql', [
    withDatabase(pgHandle.url, dbCopy),
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    `\\copy sales_raw (${COPY_COLUMNS.join(', ')}) FROM '${copyFile}'`,
  ])
  const copySeconds = (performance.now() - copyStart) / 1000
  if (copied.code !== 0) throw new Error(`psql \\copy failed: ${copied.output}`)
  const copyRate = N / copySeconds
  log(`  ${copySeconds.toFixed(1)} s, ${Math.round(copyRate).toLocaleString('en-US')} rows/s`)

  // 3. the lander draining the topic
  log('Timing the lander draining the topic into another fresh sales_raw…')
  const config = loadConfig({ ...process.env, LANDER_GROUP_ID: 'bench-lander' }, landerOwnSection)
  const landerUrl = withDatabase(pgHandle.url, dbLander)
  const pool = createPool(
    { url: landerUrl, poolMax: 3, connectTimeoutMs: 5000 },
    {
      applicationName: 'sretl-lander-bench',
      role: 'sretl_writer',
      statementTimeoutMs: config.statementTimeoutMs,
    },
  )
  cleanups.push(() => pool.end())
  const dlqProducer = createProducer(kafka, 'bench-dlq')
  cleanups.push(() => dlqProducer.close())
  const consumer = createConsumer(kafka, {
    groupId: config.groupId,
    clientSuffix: 'bench-lander',
    maxBytes: config.fetch.maxBytes,
    highWaterMark: config.fetch.maxRecords,
  })
  cleanups.push(() => consumer.close(true))
  const landerMetrics = createLanderMetrics(
    createMetricsRegistry({ component: 'lander', processMetrics: false }),
  )
  let landedRecords = 0
  let firstCommit = 0
  let lastCommit = 0
  let steadyFrom = Infinity
  const eventLatencies: number[] = []
  const produceLatencies: number[] = []
  let onLanded = (): void => undefined
  const lander = createLander({
    consumer,
    pool,
    producer: dlqProducer,
    logger: silentLogger(),
    metrics: landerMetrics,
    clock: () => Date.now(),
    config,
    topics: { source: topics.salesEvents, dlq: topics.salesDlq },
    sendTimeoutMs: 30_000,
    hooks: {
      afterCommit(result: LandingResult) {
        landedRecords += result.batch.records
        firstCommit ||= performance.now()
        lastCommit = performance.now()
        for (const row of result.newRows) {
          if (row.eventTimeMs < steadyFrom) continue
          eventLatencies.push(result.committedAt - row.eventTimeMs)
          produceLatencies.push(result.committedAt - row.produceTimeMs)
        }
        onLanded()
      },
    },
  })
  const waitForRecords = (target: number): Promise<void> =>
    new Promise((resolve) => {
      onLanded = () => {
        if (landedRecords >= target) resolve()
      }
      onLanded()
    })
  const drainStart = performance.now()
  lander.start()
  cleanups.push(() => lander.stop())
  await waitForRecords(N)
  const drainSeconds = (lastCommit - drainStart) / 1000
  const landerRate = N / drainSeconds
  const steadyRate = N / ((lastCommit - firstCommit) / 1000)
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_raw')
  const transactions = (await landerMetrics.transactionSeconds.get()).values
  const txSeconds =
    transactions.find((v) => v.metricName === 'sretl_lander_transaction_seconds_sum')?.value ?? 0
  const txCount =
    transactions.find((v) => v.metricName === 'sretl_lander_transaction_seconds_count')?.value ?? 0
  log(
    `  ${txCount} transactions, ${txSeconds.toFixed(1)} s in them (${Math.round((100 * txSeconds) / drainSeconds)} % of the drain)`,
  )
  log(
    `  ${drainSeconds.toFixed(1)} s from start (group join included), ${Math.round(landerRate).toLocaleString('en-US')} rows/s; ${Math.round(steadyRate).toLocaleString('en-US')} rows/s from the first commit; ${rows[0]?.n.toLocaleString('en-US')} rows`,
  )

  // 4. steady load: latency from the till's clock to the committed row
  let latency: { p50: number; p95: number; p99: number; max: number; rows: number } | undefined
  let produceLatency: { p50: number; p95: number; p99: number } | undefined
  if (STEADY_SECONDS > 0) {
    log(`Steady ${RATE} events/s for ${STEADY_SECONDS} s…`)
    const total = RATE * STEADY_SECONDS
    const source = generateEvents(total, { seed: 7, from: now, to: now + STEADY_SECONDS * 1000 })
    const start = Date.now()
    steadyFrom = start
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
    await waitForRecords(N + total)
    const sorted = [...eventLatencies].sort((a, b) => a - b)
    const sortedProduce = [...produceLatencies].sort((a, b) => a - b)
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

  const cpu = cpus()
  log('')
  log(`## Lander benchmark — ${started.toISOString().slice(0, 10)}`)
  log('')
  log(
    `Machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), PostgreSQL ${pgVersion}, Kafka ${base.kafka.local.version}, Node ${process.version}. Events: ${N.toLocaleString('en-US')} (~${Math.round(valueBytes / N)} B of JSON each), 6 partitions; lander defaults (batch ${config.batch.maxRows} rows / ${config.batch.maxWaitMs} ms).`,
  )
  log('')
  log('| measure | value |')
  log('| --- | --- |')
  log(
    `| psql \\copy into sales_raw | ${Math.round(copyRate).toLocaleString('en-US')} rows/s (${copySeconds.toFixed(1)} s) |`,
  )
  log(
    `| lander, Kafka → sales_raw | ${Math.round(landerRate).toLocaleString('en-US')} rows/s (${drainSeconds.toFixed(1)} s) |`,
  )
  log(`| ratio lander / psql \\copy (target ≥ 0.5) | ${(landerRate / copyRate).toFixed(2)} |`)
  if (latency && produceLatency) {
    log(
      `| event_time → commit at ${RATE}/s for ${STEADY_SECONDS} s (target P95 ≤ 500 ms) | P50 ${latency.p50} ms, P95 ${latency.p95} ms, P99 ${latency.p99} ms, max ${latency.max} ms (${latency.rows.toLocaleString('en-US')} rows) |`,
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
      copyRowsPerSecond: Math.round(copyRate),
      landerRowsPerSecond: Math.round(landerRate),
      landerRowsPerSecondFromFirstCommit: Math.round(steadyRate),
      ratio: Number((landerRate / copyRate).toFixed(3)),
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
