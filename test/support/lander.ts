/**
 * Helpers for lander tests: producing events, a lander in this process (for the hook API) or as
 * a child process (`sretl run lander`, for kill -9), reading landed rows, offsets and dead letters.
 */
import assert from 'node:assert/strict'
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { createLanderMetrics } from '../../src/lander/metrics.ts'
import { landerOwnSection, type LanderConfig } from '../../src/lander/config.ts'
import { createLander, type Lander } from '../../src/lander/lander.ts'
import type { LanderHooks } from '../../src/lander/landing.ts'
import type { KafkaConfig } from '../../src/platform/base-config.ts'
import { loadConfig, type Env } from '../../src/platform/config.ts'
import {
  createAdmin,
  createConsumer,
  createProducer,
  sendWithTimeout,
  type BytesMessage,
} from '../../src/platform/kafka.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry, type MetricsRegistry } from '../../src/platform/metrics.ts'
import { createPool, type Pool } from '../../src/platform/postgres.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { encodeEvent } from './events.ts'
import { componentLogin, startCli, waitFor, type BackgroundCli } from './harness.ts'

export interface OutgoingEvent {
  readonly key: string
  readonly value: Buffer
  readonly headers?: Record<string, string>
}

/** A sale line as a till sends it: keyed by its store, so a store's lines keep their order. */
export function saleEvent(line: SaleLine): OutgoingEvent {
  return { key: line.store_id, value: encodeEvent(line) }
}

/** The event ids of produced sale-line events. */
export function eventIds(events: readonly OutgoingEvent[]): string[] {
  return events.map((e) => (JSON.parse(e.value.toString()) as { event_id: string }).event_id)
}

/** Sends sale lines to the sales topic in order, each keyed by its store (see `produce`). */
export function produceSales(kafka: KafkaConfig, lines: readonly SaleLine[], chunk?: number): Promise<void> {
  return produce(kafka, lines.map(saleEvent), chunk)
}

/** Sends events to the sales topic in order, `chunk` per request, waiting for each acknowledgement. */
export async function produce(
  kafka: KafkaConfig,
  events: readonly OutgoingEvent[],
  chunk = 500,
): Promise<void> {
  const producer = createProducer(kafka, 'test-producer')
  const topic = topicNames(kafka).salesEvents
  try {
    for (let i = 0; i < events.length; i += chunk) {
      const messages: BytesMessage[] = events.slice(i, i + chunk).map((e) => ({
        topic,
        key: Buffer.from(e.key),
        value: e.value,
        ...(e.headers ? { headers: new Map(Object.entries(e.headers)) } : {}),
      }))
      await sendWithTimeout(producer, messages, 30_000)
    }
  } finally {
    await producer.close()
  }
}

/** Keeps producing `perTick` events every `everyMs` until stopped; returns what was acknowledged. */
export function produceContinuously(
  kafka: KafkaConfig,
  make: (i: number) => OutgoingEvent,
  options: { perTick: number; everyMs: number },
): { stop(): Promise<OutgoingEvent[]>; readonly sent: number } {
  const producer = createProducer(kafka, 'test-stream')
  const topic = topicNames(kafka).salesEvents
  const acknowledged: OutgoingEvent[] = []
  let running = true
  let n = 0
  const loop = (async () => {
    while (running) {
      const batch = Array.from({ length: options.perTick }, () => make(n++))
      await sendWithTimeout(
        producer,
        batch.map((e) => ({ topic, key: Buffer.from(e.key), value: e.value })),
        30_000,
      )
      acknowledged.push(...batch)
      await new Promise((resolve) => setTimeout(resolve, options.everyMs))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      await producer.close()
      return acknowledged
    },
    get sent() {
      return acknowledged.length
    },
  }
}

export async function landedIds(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>('SELECT event_id::text AS id FROM sales_raw')
  return rows.map((r) => r.id)
}

/** Asserts that sales_raw holds one row for each of `produced` and nothing else. */
export async function assertLandedOnce(pool: Pool, produced: readonly OutgoingEvent[]): Promise<void> {
  const ids = await landedIds(pool)
  assert.equal(ids.length, produced.length, 'as many rows as events produced')
  assert.deepEqual(new Set(ids), new Set(eventIds(produced)), 'exactly the produced events')
}

export async function countRows(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_raw')
  return rows[0]?.n ?? 0
}

export async function storedOffsets(pool: Pool, group: string, topic: string): Promise<Map<number, bigint>> {
  const { rows } = await pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset::text AS next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2',
    [group, topic],
  )
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]))
}

export async function endOffsets(
  kafka: KafkaConfig,
  topic: string,
  partitions = 6,
): Promise<Map<number, bigint>> {
  const admin = createAdmin(kafka, 'test-offsets')
  try {
    const result = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })),
        },
      ],
    })
    const map = new Map<number, bigint>()
    for (const t of result) for (const p of t.partitions) map.set(p.partitionIndex, p.offset)
    return map
  } finally {
    await admin.close()
  }
}

/** Waits until the stored offsets reach the end of every partition of the sales topic. */
export async function waitCaughtUp(
  kafka: KafkaConfig,
  pool: Pool,
  group: string,
  timeoutMs = 120_000,
): Promise<void> {
  const topic = topicNames(kafka).salesEvents
  const ends = await endOffsets(kafka, topic)
  await waitFor(
    async () => {
      const stored = await storedOffsets(pool, group, topic)
      return [...ends].every(([p, end]) => end === 0n || (stored.get(p) ?? -1n) >= end)
    },
    {
      timeoutMs,
      intervalMs: 200,
      message: `lander did not catch up to ${JSON.stringify([...ends].map(String))}`,
    },
  )
}

/** Produces the sale lines and waits until `group` has landed them (see `waitCaughtUp`). */
export async function landSales(
  kafka: KafkaConfig,
  pool: Pool,
  group: string,
  lines: readonly SaleLine[],
): Promise<void> {
  await produceSales(kafka, lines)
  await waitCaughtUp(kafka, pool, group)
}

export interface DeadLetterRead {
  readonly key: string
  readonly value: Buffer
  readonly headers: Map<string, string>
}

/** Reads `count` messages of the dead-letter topic from the beginning. */
export async function readDeadLetters(kafka: KafkaConfig, count: number): Promise<DeadLetterRead[]> {
  const consumer = createConsumer(kafka, { groupId: `dlq-reader-${Date.now()}`, clientSuffix: 'dlq-reader' })
  const read: DeadLetterRead[] = []
  try {
    if (count === 0) return read
    const stream = await consumer.consume({
      topics: [topicNames(kafka).salesDlq],
      mode: MessagesStreamModes.EARLIEST,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    })
    for await (const m of stream) {
      read.push({ key: m.key.toString(), value: m.value, headers: new Map(m.headers) })
      if (read.length >= count) break
    }
    await stream.close()
    return read
  } finally {
    await consumer.close(true)
  }
}

export interface InProcessLander {
  readonly lander: Lander
  readonly registry: MetricsRegistry
  readonly config: LanderConfig
  stop(): Promise<void>
}

/** A lander running in this process against the test services (for hooks and fine-grained checks). */
export function startInProcessLander(
  kafka: KafkaConfig,
  databaseUrl: string,
  options: { env?: Env; hooks?: LanderHooks } = {},
): InProcessLander {
  const config = loadConfig({ LANDER_BATCH_MAX_WAIT_MS: '50', ...options.env }, landerOwnSection)
  const registry = createMetricsRegistry({ component: 'lander', processMetrics: false })
  const pool = createPool(
    { url: databaseUrl, poolMax: 3, connectTimeoutMs: 5000 },
    {
      applicationName: 'sretl-lander-test',
      role: 'sretl_writer',
    },
  )
  const producer = createProducer(kafka, 'lander-dlq')
  const consumer = createConsumer(kafka, {
    groupId: config.groupId,
    clientSuffix: 'lander',
    sessionTimeoutMs: config.sessionTimeoutMs,
    maxBytes: config.fetch.maxBytes,
    highWaterMark: config.fetch.maxRecords,
  })
  const topics = topicNames(kafka)
  const lander = createLander({
    consumer,
    pool,
    producer,
    logger: silentLogger(),
    metrics: createLanderMetrics(registry),
    clock: () => Date.now(),
    config,
    topics: { source: topics.salesEvents, dlq: topics.salesDlq },
    sendTimeoutMs: 10_000,
    ...(options.hooks ? { hooks: options.hooks } : {}),
  })
  lander.start()
  return {
    lander,
    registry,
    config,
    async stop() {
      await lander.stop()
      await consumer.close(true)
      await producer.close()
      await pool.end()
    },
  }
}

/** The value of a metric series from a registry or a /metrics text. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (wanted.every((w) => line.includes(w))) sum += Number(line.split(' ').at(-1))
  }
  return sum
}

export interface ChildLander {
  readonly cli: BackgroundCli
  readonly port: number
  readonly url: string
  status(): Promise<LanderStatusBody>
  metrics(): Promise<string>
  /** SIGTERM; resolves with the exit code (0 is a clean stop). */
  stop(): Promise<number | null>
  /** SIGKILL, as a crash; resolves once the process is gone. */
  kill(): Promise<void>
}

export interface LanderStatusBody {
  state: string
  lastError?: { code: string; message: string }
  details: {
    paused: boolean
    partitions: {
      partition: number
      state: string
      lastError: { code: string; message: string } | null
      storedOffset: number | null
      endOffset: number | null
      lagMessages: number | null
      lagSeconds: number | null
    }[]
    totals: { rows: number; duplicates: number; deadLetters: number; batches: number }
    buffered: { records: number; limitRecords: number }
    maintenance: { defaultPartitionRows: number | null }
  }
}

const children = new Set<BackgroundCli>()

/** SIGKILLs every child lander still running (for `after` hooks, so a failed test leaves none). */
export async function killChildLanders(): Promise<void> {
  await Promise.all(
    [...children].map(async (cli) => {
      cli.child.kill('SIGKILL')
      await cli.exited
    }),
  )
}

/** `sretl run lander` as a child process on a free port; resolves once it serves HTTP. */
export async function startChildLander(env: Record<string, string>): Promise<ChildLander> {
  const port = Number(env.LANDER_PORT ?? (await findFreePort()))
  // on a test database the lander runs under the login it has in production (ADR 0051)
  const own =
    env.DATABASE_URL && !env.DATABASE_PASSWORD_FILE ? componentLogin(env.DATABASE_URL, 'lander').env : {}
  const cli = startCli(['run', 'lander'], { ...env, ...own, LANDER_PORT: String(port) })
  children.add(cli)
  let exited = false
  void cli.exited.then(() => {
    exited = true
    children.delete(cli)
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    async () => {
      if (exited) return 'exited'
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true
    },
    { timeoutMs: 60_000, intervalMs: 100, message: 'lander did not serve HTTP' },
  )
  if (exited) throw new Error(`lander exited during start-up:\n${cli.output()}`)
  return {
    cli,
    port,
    url,
    async status() {
      const response = await fetch(`${url}/status`)
      return (await response.json()) as LanderStatusBody
    },
    async metrics() {
      return (await fetch(`${url}/metrics`)).text()
    },
    async stop() {
      cli.child.kill('SIGTERM')
      return cli.exited
    },
    async kill() {
      cli.child.kill('SIGKILL')
      await cli.exited
    },
  }
}
