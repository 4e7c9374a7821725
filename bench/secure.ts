/**
 * npm run bench:secure — what Kafka's secure mode costs, plain and secure in one run on one
 * machine (docs/benchmarks.md, "Secure mode"): for each mode a broker of its own is started
 * (start-up timed), then
 *
 *   1. the simulator unthrottled (`sretl run simulator`, as the simulator principal when secure);
 *   2. the gateway with batches of 100 events over 8 keep-alive connections (gateway principal);
 *   3. a consumer of the lander's kind (lander principal and group) reading the events back.
 *
 * It prints both figures and secure/plain per row; the target is secure >= 0.85 of plain.
 * BENCH_SECONDS (default 10) sets the gateway phase; BENCH_RECORDS (default 300,000) the
 * simulator's events and what the consumer reads.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { createAdmin, createConsumer, ensureTopics, type ConnectionSettings } from '../src/platform/kafka.ts'
import { topicNames, topicSpecs } from '../src/platform/topics.ts'
import { startKafkaBroker } from '../src/stack/kafka-broker.ts'
import {
  applyAcls,
  clientEnv,
  clientSecurity,
  prepareBrokerSecurity,
  serviceAcls,
  type BrokerSecurity,
} from '../src/stack/kafka-security.ts'
import { findFreePort } from '../src/stack/ports.ts'
import { benchChildren, startComponent, stopComponent } from './bench-components.ts'
import { exitWithUsage, helpAsked } from './bench-stack.ts'
import { batchBodies, GATEWAY_BENCH_ENV, gatewayPoster } from './gateway-client.ts'
import { liveSimulatorSource } from './simulator-events.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000)
if (helpAsked()) {
  exitWithUsage(`Usage: npm run bench:secure

Measures Kafka's secure mode (SASL_SSL, SCRAM-SHA-512, ACLs) against plain mode in one run: broker
start-up, the simulator unthrottled, the gateway with batches of 100, and a lander-style consumer,
each as its own principal when secure. Starts its own brokers. BENCH_SECONDS (default 10) sets the
gateway phase; BENCH_RECORDS (default 300,000) the simulator's events. Prints Markdown.`)
}
const PREFIX = 'bench.'
const GROUP = 'bench-lander'
const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface ModeResult {
  readonly startMs: number
  readonly simulator: number
  readonly gateway: number
  readonly consumer: number
}

const config = loadConfig(process.env, baseConfigSection)
const work = mkdtempSync(join(tmpdir(), 'sretl-bench-secure-'))
const events = liveSimulatorSource(`bench-${Date.now()}`)
  .take(20_000)
  .map((m) => m.value)

try {
  const plain = await runMode('plain')
  const secure = await runMode('secure')
  report(plain, secure)
} finally {
  for (const child of benchChildren) child.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
}

async function runMode(mode: 'plain' | 'secure'): Promise<ModeResult> {
  const dir = join(work, mode)
  const security: BrokerSecurity | undefined =
    mode === 'secure'
      ? await prepareBrokerSecurity({ tlsDir: join(dir, 'tls'), secretsDir: join(dir, 'secrets') })
      : undefined
  const started = performance.now()
  const broker = await startKafkaBroker({
    version: config.kafka.local.version,
    port: await findFreePort(),
    controllerPort: await findFreePort(),
    heap: '1g',
    dataDir: join(dir, 'kafka'),
    logFile: join(dir, 'kafka.log'),
    cacheDir: config.paths.cache,
    startTimeoutMs: 180_000,
    javaHome: config.kafka.local.javaHome,
    mavenCmd: config.kafka.local.mavenCmd,
    onProgress: () => undefined,
    ...(security ? { security } : {}),
  })
  const startMs = performance.now() - started
  log(`${mode}: broker ready in ${Math.round(startMs)} ms`)
  try {
    const settings = (user: 'tools' | 'lander'): ConnectionSettings => ({
      bootstrapServers: [broker.bootstrap],
      clientId: 'sretl',
      requestTimeoutMs: 30_000,
      ...(security ? { security: clientSecurity(security, user) } : {}),
    })
    const names = topicNames({ topicPrefix: PREFIX })
    const admin = createAdmin(settings('tools'))
    try {
      await ensureTopics(admin, topicSpecs({ topicPrefix: PREFIX, salesPartitions: 6, replicationFactor: 1 }))
      if (security) {
        await applyAcls(
          admin,
          serviceAcls({
            salesEvents: names.salesEvents,
            salesDlq: names.salesDlq,
            aggregatePrefix: `${PREFIX}agg.`,
            landerGroup: GROUP,
            controlGroupPrefix: 'sretl-control-dlq-',
          }),
        )
      }
    } finally {
      await admin.close()
    }
    const env = (user: 'simulator' | 'gateway'): NodeJS.ProcessEnv => ({
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
      TOPIC_PREFIX: PREFIX,
      SRETL_HOME: join(dir, 'home'),
      LOG_LEVEL: 'warn',
      ...(security ? clientEnv(security, user) : {}),
    })
    const simulator = await simulatorUnthrottled(mode, env('simulator'))
    const gateway = await gatewayLoad(mode, env('gateway'))
    const consumer = await consumeAll(mode, settings('lander'), names.salesEvents)
    return { startMs, simulator, gateway, consumer }
  } finally {
    await broker.stop()
  }
}

async function simulatorUnthrottled(mode: string, env: NodeJS.ProcessEnv): Promise<number> {
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
    const body = (await (await fetch(`${url}/status`)).json()) as { details: { eventsProduced: number } }
    const now = performance.now()
    const n = body.details.eventsProduced
    if (!from && n >= RECORDS * 0.1) from = { n, t: now }
    if (n >= RECORDS * 0.9) {
      to = { n, t: now }
      break
    }
    await sleep(50)
  }
  await stopComponent(child)
  const perSec = ((to.n - (from?.n ?? 0)) * 1000) / (to.t - (from?.t ?? 0))
  log(`${mode}: simulator ${Math.round(perSec)} events/s`)
  return perSec
}

async function gatewayLoad(mode: string, env: NodeJS.ProcessEnv): Promise<number> {
  const batch = 100
  const concurrency = 8
  const { url, child } = await startComponent('gateway', { ...env, ...GATEWAY_BENCH_ENV })
  const bodies = batchBodies(events, batch)
  const client = gatewayPoster(url, concurrency)
  const post = (body: Buffer) => client.post(body)
  let accepted = 0
  let refusedResponses = 0
  let next = 0
  const deadline = performance.now() + SECONDS * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const body = bodies[next++ % bodies.length] ?? Buffer.alloc(0)
        const code = await post(body)
        if (code >= 200 && code < 300) accepted += batch
        else refusedResponses += 1
      }
    }),
  )
  const perSec = (accepted * 1000) / (performance.now() - started)
  client.close()
  await stopComponent(child)
  if (refusedResponses > 0) log(`${mode}: gateway refused ${refusedResponses} batch(es)`)
  log(`${mode}: gateway ${Math.round(perSec)} events/s`)
  return perSec
}

async function consumeAll(mode: string, settings: ConnectionSettings, topic: string): Promise<number> {
  const consumer = createConsumer(settings, { groupId: GROUP, clientSuffix: 'bench', highWaterMark: 4096 })
  const stream = await consumer.consume({
    topics: [topic],
    mode: MessagesStreamModes.EARLIEST,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
  })
  let n = 0
  let first = 0
  try {
    for await (const _ of stream) {
      if (n === 0) first = performance.now()
      n += 1
      if (n >= RECORDS) break
    }
  } finally {
    await stream.close().catch(() => undefined)
    await consumer.close(true).catch(() => undefined)
  }
  const perSec = (n * 1000) / (performance.now() - first)
  log(`${mode}: consumer ${Math.round(perSec)} events/s`)
  return perSec
}

function report(plain: ModeResult, secure: ModeResult): void {
  const f = (n: number) => Math.round(n).toLocaleString('en-US')
  const ratio = (s: number, p: number) => (s / p).toFixed(2)
  const row = (what: string, p: number, s: number, unit: string) =>
    `| ${what} | ${f(p)} ${unit} | ${f(s)} ${unit} | ${ratio(s, p)} |`
  const lines = [
    `Secure mode vs plain, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    '',
    '| measure | plain | secure (SASL_SSL, SCRAM-SHA-512, ACLs) | secure / plain |',
    '| --- | --- | --- | --- |',
    row('broker start-up (format + start + first metadata)', plain.startMs, secure.startMs, 'ms'),
    row(`simulator unthrottled (${f(RECORDS)} events)`, plain.simulator, secure.simulator, 'events/s'),
    row(`gateway, batches of 100, 8 connections, ${SECONDS} s`, plain.gateway, secure.gateway, 'events/s'),
    row('lander-style consumer (its principal and group)', plain.consumer, secure.consumer, 'events/s'),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  const producers = Math.min(secure.simulator / plain.simulator, secure.gateway / plain.gateway)
  log(`producer throughput secure/plain: ${producers.toFixed(2)} (target >= 0.85)`)
}
