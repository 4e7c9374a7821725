/**
 * `npm run bench:lander [-- --events N --seed NAME --steady-seconds S --rate R --repeat K]`
 *
 * 1. Loads N realistic events (the store simulator's generator, bench/simulator-events.ts) into a fresh topic of 6 partitions, and
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
import { closeSync, openSync, writeSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { COPY_COLUMNS, copyLine } from '../src/lander/copy-encoder.ts'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { startBenchLander, type BenchLander } from './bench-lander.ts'
import {
  benchSetup,
  describeHistory,
  fmt,
  freshDatabase,
  landingBenchArgs,
  loadGeneratedEvents,
  log,
  median,
  percentile,
  produceSteady,
  runBenchmark,
  type Setup,
} from './bench-stack.ts'

const USAGE = `Usage: npm run bench:lander [-- --events N --seed NAME --steady-seconds S --rate R --repeat K]

Loads N events (default 1,000,000) of the store simulator (seed NAME, default bench-42; a fixed
simulated history of about 20 hours from 2026-11-02T00:00Z, the same bytes at any hour) into a fresh topic, times psql \\copy of
the same rows and the lander draining the topic (K rounds, default 1; medians), then measures
event_time → commit at R events/s (default 1,000) for S seconds (default 120; 0 skips it).
Starts its own Kafka unless KAFKA_BOOTSTRAP_SERVERS is set; uses DATABASE_URL or the local
PostgreSQL. Prints the figures as Markdown (docs/benchmarks.md).`
const {
  events: N,
  steadySeconds: STEADY_SECONDS,
  rate: RATE,
  repeat: REPEAT,
  history: HISTORY,
} = landingBenchArgs(USAGE)
function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('close', (code) => resolve({ code, output }))
  })
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

async function main(): Promise<void> {
  const started = new Date()
  const base = loadConfig(process.env, baseConfigSection)
  const setup = await benchSetup(base, 'bench', (dir) => join(dir, 'rows.copy'))
  const { kafka } = setup
  const versionClient = new pg.Client({ connectionString: setup.serverUrl })
  await versionClient.connect()
  const pgVersion =
    (await versionClient.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ??
    '?'
  await versionClient.end()

  // 1. the events: into Kafka and, as the same rows, into a COPY file
  log(
    `Loading ${fmt(N)} events (the store simulator's generator, seed ${HISTORY.seed}, about 20 hours of history from ${new Date(HISTORY.startMs).toISOString()})…`,
  )
  const fd = openSync(setup.copyFile, 'w')
  const loadStart = performance.now()
  const loaded = await loadGeneratedEvents(kafka, HISTORY, (events) =>
    writeSync(fd, events.map(copyLine).join('')),
  )
  const { valueBytes } = loaded
  closeSync(fd)
  log(
    `  produced in ${((performance.now() - loadStart) / 1000).toFixed(1)} s (${Math.round(valueBytes / N)} bytes of JSON per event); ${describeHistory(HISTORY, loaded)}`,
  )
  const days = { fromMs: loaded.firstMs, toMs: loaded.lastMs }

  // 2 + 3, alternating so that both see the machine in the same state
  const rounds: Round[] = []
  let lander: BenchLander | undefined
  for (let r = 1; r <= REPEAT; r += 1) {
    const copyUrl = await freshDatabase(
      setup.serverUrl,
      `sretl_bench_${process.pid}_copy${r}`,
      undefined,
      days,
    )
    const landerUrl = await freshDatabase(
      setup.serverUrl,
      `sretl_bench_${process.pid}_lander${r}`,
      undefined,
      days,
    )
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
    lander.steadyFrom = Date.now()
    const total = await produceSteady(kafka, RATE, STEADY_SECONDS)
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
      )}; PostgreSQL ${pgVersion}, Kafka ${base.kafka.local.version}, Node ${process.version}. Events: ${fmt(N)} (~${Math.round(valueBytes / N)} B of JSON each), 6 partitions; ${describeHistory(HISTORY, loaded)}; lander defaults (batch ≤ ${config.batch.maxRows} rows / ${config.batch.maxWaitMs} ms; direct COPY ${config.directCopy ? 'on' : 'off'}); ${REPEAT} round(s), medians shown.`,
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
      seed: HISTORY.seed,
      simulatedFrom: new Date(loaded.firstMs).toISOString(),
      simulatedTo: new Date(loaded.lastMs).toISOString(),
      eventsSha256: loaded.sha256,
      rounds,
      ratio: median(ratios),
      copyRowsPerSecond: Math.round(copyRate),
      landerRowsPerSecond: Math.round(landerRate),
      latencyMs: latency,
      produceLatencyMs: produceLatency,
    }),
  )
}

await runBenchmark(main)
