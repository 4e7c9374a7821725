/**
 * npm run bench:ingest — how fast events get into Kafka, against Kafka's own yardstick, in one
 * run on one machine (docs/benchmarks.md):
 *
 *   1. org.apache.kafka.tools.ProducerPerformance (acks=all, idempotent) with payloads taken
 *      from the simulator's own events, so the records are the same size;
 *   2. the simulator unthrottled (`sretl run simulator` with a budget);
 *   3. the gateway with batches of 1, 100 and 1,000 events (a keep-alive HTTP client here);
 *   4. the simulator's pacing at 1k, 10k and 20k events/s (acknowledged events over 10 s).
 *
 * It starts its own broker on free ports and removes it afterwards. BENCH_SECONDS (default 10)
 * sets how long each measured phase runs; BENCH_RECORDS (default 1,000,000) the
 * ProducerPerformance and simulator runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { ensureAdminToken } from '../src/platform/admin-token.ts'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { createAdmin, ensureTopics } from '../src/platform/kafka.ts'
import { topicSpecs } from '../src/platform/topics.ts'
import { startKafkaBroker, type KafkaBroker } from '../src/stack/kafka-broker.ts'
import { findFreePort } from '../src/stack/ports.ts'
import { runCommand } from '../src/stack/run-command.ts'
import { benchChildren, startComponent, stopComponent } from './bench-components.ts'
import { exitWithUsage, helpAsked } from './bench-stack.ts'
import { batchBodies, GATEWAY_BENCH_ENV, gatewayPoster } from './gateway-client.ts'
import { liveSimulatorSource } from './simulator-events.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000)
if (helpAsked()) {
  exitWithUsage(`Usage: npm run bench:ingest

Measures how fast events get into Kafka, in one run: Kafka's ProducerPerformance with records
of the simulator's size, the simulator unthrottled, the gateway with batches of 1, 100 and 1,000
events, and the simulator's pacing at 1k, 10k and 20k events/s. Starts its own Kafka broker.
BENCH_SECONDS (default 10) sets each measured phase; BENCH_RECORDS (default 1,000,000) the
records of the first two. Prints the figures as Markdown (docs/benchmarks.md).`)
}
const PREFIX = 'bench.'
const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Row {
  readonly what: string
  readonly eventsPerSec: number
  readonly note?: string
}

const config = loadConfig(process.env, baseConfigSection)
const work = mkdtempSync(join(tmpdir(), 'sretl-bench-'))
let broker: KafkaBroker | undefined

try {
  broker = await startKafkaBroker({
    version: config.kafka.local.version,
    port: await findFreePort(),
    controllerPort: await findFreePort(),
    heap: '1g',
    dataDir: join(work, 'kafka'),
    logFile: join(work, 'kafka.log'),
    cacheDir: config.paths.cache,
    startTimeoutMs: 120_000,
    javaHome: config.kafka.local.javaHome,
    mavenCmd: config.kafka.local.mavenCmd,
    onProgress: (e) => e.detail && log(e.detail),
  })
  const kafka = {
    ...config.kafka,
    bootstrapServers: [broker.bootstrap],
    topicPrefix: PREFIX,
    salesPartitions: 6,
    replicationFactor: 1,
  }
  const admin = createAdmin(kafka)
  await ensureTopics(admin, [
    ...topicSpecs(kafka),
    { name: `${PREFIX}producer-performance`, partitions: 6, replicationFactor: 1, configs: {} },
  ])
  await admin.close()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
    TOPIC_PREFIX: PREFIX,
    SRETL_HOME: join(work, 'home'),
    LOG_LEVEL: 'warn',
  }

  const events = sampleEvents(50_000)
  const averageBytes = Math.round(events.reduce((sum, e) => sum + e.length, 0) / events.length)
  log(`events average ${averageBytes} bytes`)

  const rows: Row[] = []
  const baseline = await producerPerformance(broker, events, averageBytes)
  rows.push({
    what: `Kafka ProducerPerformance (${RECORDS.toLocaleString('en-US')} records, acks=all, idempotent)`,
    eventsPerSec: baseline,
  })
  rows.push({ what: 'simulator, unthrottled', eventsPerSec: await simulatorUnthrottled(env) })
  for (const [batch, concurrency] of [
    [1, 32],
    [100, 8],
    [1000, 4],
  ] as const) {
    rows.push({
      what: `gateway, batches of ${batch} (${concurrency} connections)`,
      ...(await gatewayLoad(env, events, batch, concurrency)),
    })
  }
  const pacing = await pacingAccuracy(env, [1000, 10_000, 20_000])
  report(rows, baseline, pacing, averageBytes)
} finally {
  for (const child of benchChildren) child.kill('SIGKILL')
  await broker?.stop()
  rmSync(work, { recursive: true, force: true })
}

/** Simulator events (compact JSON), the payloads every phase uses. */
function sampleEvents(n: number): Buffer[] {
  return liveSimulatorSource(`bench-${Date.now()}`)
    .take(n)
    .map((m) => m.value)
}

async function producerPerformance(
  kafkaBroker: KafkaBroker,
  events: Buffer[],
  averageBytes: number,
): Promise<number> {
  const payloads = join(work, 'payloads.txt')
  writeFileSync(
    payloads,
    events
      .slice(0, 10_000)
      .map((e) => e.toString())
      .join('\n'),
  )
  log(`ProducerPerformance: ${RECORDS} records from simulator payloads (~${averageBytes} bytes)`)
  const result = await runCommand(
    kafkaBroker.java,
    [
      '-Xmx512m',
      '-cp',
      kafkaBroker.dist.classpath,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      `${PREFIX}producer-performance`,
      '--num-records',
      String(RECORDS),
      '--throughput',
      '-1',
      '--payload-file',
      payloads,
      '--producer-props',
      `bootstrap.servers=${kafkaBroker.bootstrap}`,
      'acks=all',
      'enable.idempotence=true',
    ],
    { timeoutMs: 600_000 },
  )
  const match = /(\d+) records sent, ([\d.]+) records\/sec/.exec(
    result.output.split('\n').filter(Boolean).at(-1) ?? '',
  )
  if (result.code !== 0 || !match)
    throw new Error(`ProducerPerformance failed:\n${result.output.slice(-2000)}`)
  const perSec = Number(match[2])
  log(`ProducerPerformance: ${Math.round(perSec)} records/s`)
  return perSec
}

interface SimulatorStatus {
  details: { eventsProduced: number; finished: string | null; inFlight: number }
}

async function status(url: string): Promise<SimulatorStatus> {
  return (await (await fetch(`${url}/status`)).json()) as SimulatorStatus
}

async function simulatorUnthrottled(env: NodeJS.ProcessEnv): Promise<number> {
  log(`simulator: ${RECORDS} events, unthrottled`)
  const { url, child } = await startComponent('simulator', {
    ...env,
    RATE_PER_SEC: '100000000',
    SIMULATOR_MAX_RATE_PER_SEC: '100000000',
    SIMULATOR_BUDGET_EVENTS: String(RECORDS),
  })
  // the middle 80 % of the run, past start-up and before the tail
  let from: { n: number; t: number } | undefined
  let to: { n: number; t: number } | undefined
  for (;;) {
    const s = await status(url)
    const now = performance.now()
    const n = s.details.eventsProduced
    if (!from && n >= RECORDS * 0.1) from = { n, t: now }
    if (n >= RECORDS * 0.9) {
      to = { n, t: now }
      break
    }
    await sleep(50)
  }
  await stopComponent(child)
  const perSec = ((to.n - (from?.n ?? 0)) * 1000) / (to.t - (from?.t ?? 0))
  log(`simulator: ${Math.round(perSec)} events/s`)
  return perSec
}

async function gatewayLoad(
  env: NodeJS.ProcessEnv,
  events: Buffer[],
  batch: number,
  concurrency: number,
): Promise<{ eventsPerSec: number; note?: string }> {
  log(`gateway: batches of ${batch}, ${concurrency} connections, ${SECONDS} s`)
  const { url, child } = await startComponent('gateway', { ...env, ...GATEWAY_BENCH_ENV })
  const bodies = batchBodies(events, batch, 2000)
  const client = gatewayPoster(url, concurrency)
  const post = (body: Buffer) => client.post(body)
  let accepted = 0
  const others = new Map<number, number>()
  let next = 0
  let measuring = false
  let stop = false
  const workers = Array.from({ length: concurrency }, async () => {
    while (!stop) {
      const code = await post(bodies[next++ % bodies.length] ?? Buffer.alloc(0))
      if (!measuring) continue
      if (code === 202) accepted += batch
      else others.set(code, (others.get(code) ?? 0) + 1)
    }
  })
  await sleep(1000)
  measuring = true
  const started = performance.now()
  await sleep(SECONDS * 1000)
  measuring = false
  const elapsed = performance.now() - started
  stop = true
  await Promise.all(workers)
  client.close()
  await stopComponent(child)
  const perSec = (accepted * 1000) / elapsed
  log(`gateway batches of ${batch}: ${Math.round(perSec)} events/s`)
  return {
    eventsPerSec: perSec,
    ...(others.size > 0 ? { note: `other answers: ${JSON.stringify([...others])}` } : {}),
  }
}

interface Pacing {
  readonly target: number
  readonly actual: number
  readonly errorPct: number
  /** Slowest and fastest 250 ms window, as events/s. */
  readonly windows: readonly [number, number]
}

async function pacingAccuracy(env: NodeJS.ProcessEnv, targets: readonly number[]): Promise<Pacing[]> {
  const { url, child } = await startComponent('simulator', {
    ...env,
    RATE_PER_SEC: String(targets[0] ?? 1000),
    SIMULATOR_MAX_RATE_PER_SEC: '1000000',
  })
  const results: Pacing[] = []
  for (const target of targets) {
    log(`pacing at ${target}/s for ${SECONDS} s`)
    const token = ensureAdminToken(join(String(env.SRETL_HOME), 'secrets', 'component-admin-token')).token
    const changed = await fetch(`${url}/rate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ratePerSec: target }),
    })
    // a refused command would measure the old rate under the new label
    if (!changed.ok) throw new Error(`simulator /rate ${target}: ${changed.status} ${await changed.text()}`)
    await sleep(3000)
    const samples: { n: number; t: number }[] = []
    const end = performance.now() + SECONDS * 1000
    while (performance.now() < end) {
      samples.push({ n: (await status(url)).details.eventsProduced, t: performance.now() })
      await sleep(250)
    }
    const first = samples[0]
    const last = samples.at(-1)
    if (!first || !last) throw new Error('no samples')
    const actual = ((last.n - first.n) * 1000) / (last.t - first.t)
    const windows = samples.slice(1).map((s, i) => {
      const prev = samples[i] ?? s
      return ((s.n - prev.n) * 1000) / (s.t - prev.t)
    })
    results.push({
      target,
      actual,
      errorPct: (actual / target - 1) * 100,
      windows: [Math.min(...windows), Math.max(...windows)],
    })
    log(`pacing ${target}/s: ${Math.round(actual)}/s`)
  }
  await stopComponent(child)
  return results
}

function report(rows: Row[], baseline: number, pacing: Pacing[], averageBytes: number): void {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  const cpu = cpus()
  const lines = [
    `## bench:ingest — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, Kafka ${config.kafka.local.version} (single broker, same machine). Events average ${averageBytes} bytes. Phases of ${SECONDS} s.`,
    '',
    '| what | events/s | vs ProducerPerformance |',
    '| --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.what}${r.note ? ` (${r.note})` : ''} | ${fmt(r.eventsPerSec)} | ${(r.eventsPerSec / baseline).toFixed(2)} |`,
    ),
    '',
    '| pacing target (events/s) | acknowledged events/s | error | slowest / fastest 250 ms window (events/s) |',
    '| ---: | ---: | ---: | ---: |',
    ...pacing.map(
      (p) =>
        `| ${fmt(p.target)} | ${fmt(p.actual)} | ${p.errorPct >= 0 ? '+' : ''}${p.errorPct.toFixed(2)} % | ${fmt(p.windows[0])} / ${fmt(p.windows[1])} |`,
    ),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}
