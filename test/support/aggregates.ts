/**
 * Helpers for aggregate tests: a lander in this process with the aggregates plugged in, reading
 * the compacted topics' latest value per key, and the reference data.
 */
import assert from 'node:assert/strict'
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka'
import { createAggregates, type Aggregates } from '../../src/aggregates/in-stream/aggregates.ts'
import { aggregatesSection } from '../../src/aggregates/in-stream/config.ts'
import { caughtUp } from '../../src/aggregates/in-stream/caught-up.ts'
import type { CycleOutcome } from '../../src/aggregates/in-stream/cycle.ts'
import { createAggregatesMetrics } from '../../src/aggregates/in-stream/metrics.ts'
import { verifyAggregates } from '../../src/aggregates/verify.ts'
import type { KafkaConfig } from '../../src/platform/base-config.ts'
import { loadConfig, type Env } from '../../src/platform/config.ts'
import { createConsumer, createProducer } from '../../src/platform/kafka.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry, type MetricsRegistry } from '../../src/platform/metrics.ts'
import { createPool, type Pool } from '../../src/platform/postgres.ts'
import { loadReferenceData } from '../../src/database/reference-data-loader.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { waitFor } from './harness.ts'
import { endOffsets, startInProcessLander, type InProcessLander } from './lander.ts'

export interface AggregatingLander {
  readonly landing: InProcessLander
  readonly aggregates: Aggregates
  readonly registry: MetricsRegistry
  stop(): Promise<void>
}

/** A lander in this process with the aggregates' hooks and publish cycle. */
export function startAggregatingLander(
  kafka: KafkaConfig,
  databaseUrl: string,
  env: Env = {},
): AggregatingLander {
  const config = loadConfig(env, aggregatesSection)
  const registry = createMetricsRegistry({ component: 'lander', processMetrics: false })
  const pool = createPool(
    { url: databaseUrl, poolMax: 2, connectTimeoutMs: 5000 },
    { applicationName: 'sretl-aggregates-test', role: 'sretl_writer' },
  )
  const producer = createProducer(kafka, 'aggregates-test')
  const topics = topicNames(kafka)
  const holder: { landing?: InProcessLander } = {}
  const aggregates = createAggregates({
    pool,
    producer,
    topics: topics.aggregates,
    sourceTopic: topics.salesEvents,
    config,
    sendTimeoutMs: 10_000,
    caughtUp: () =>
      holder.landing !== undefined &&
      holder.landing.lander.ready &&
      caughtUp(holder.landing.lander.status().details.partitions),
    clock: () => Date.now(),
    logger: silentLogger(),
    metrics: createAggregatesMetrics(registry),
  })
  const started = startInProcessLander(kafka, databaseUrl, { env, hooks: aggregates.hooks })
  holder.landing = started
  aggregates.start()
  // as the lander's main does every LANDER_LAG_INTERVAL_MS (the idle watermark needs the lag)
  const lagTimer = setInterval(() => void started.lander.refreshLag(), 500)
  return {
    landing: started,
    aggregates,
    registry,
    async stop() {
      clearInterval(lagTimer)
      await aggregates.stop()
      await started.stop()
      await producer.close()
      await pool.end()
    },
  }
}

/**
 * Runs publish cycles until one ran, left nothing for the next, and has nothing unpublished
 * (of `only`, or of every aggregate), and `also` holds after it.
 */
export async function waitAllPublished(
  lander: AggregatingLander,
  options: {
    only?: keyof NonNullable<CycleOutcome['unpublished']>
    also?: () => Promise<boolean>
    intervalMs?: number
    message?: string
  } = {},
): Promise<void> {
  const { only, also } = options
  await waitFor(
    async () => {
      const outcome = await lander.aggregates.cycleNow()
      const waiting = only
        ? [outcome.unpublished?.[only] ?? 1]
        : Object.values(outcome.unpublished ?? { x: 1 })
      return (
        outcome.ran &&
        !outcome.more &&
        waiting.every((n) => n === 0) &&
        (also === undefined || (await also()))
      )
    },
    {
      timeoutMs: 30_000,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      message: options.message ?? 'the aggregates were not all published',
    },
  )
}

/** Loads the chain's stores and products (the hourly windows need the stores' time zones). */
export async function seedReference(pool: Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await loadReferenceData(client)
  } finally {
    client.release()
  }
}

/** The latest value per key of a compacted topic, read from the beginning to its end. */
export async function latestValues(
  kafka: KafkaConfig,
  topic: string,
): Promise<Map<string, Record<string, unknown>>> {
  const ends = await endOffsets(kafka, topic, 3)
  const latest = new Map<string, Record<string, unknown>>()
  const remaining = new Map([...ends].filter(([, end]) => end > 0n))
  if (remaining.size === 0) return latest
  const consumer = createConsumer(kafka, {
    groupId: `agg-reader-${Date.now()}-${Math.random()}`,
    clientSuffix: 'agg-reader',
  })
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    })
    for await (const m of stream) {
      latest.set(m.key.toString(), JSON.parse(m.value.toString()) as Record<string, unknown>)
      const end = remaining.get(m.partition)
      if (end !== undefined && m.offset + 1n >= end) remaining.delete(m.partition)
      if (remaining.size === 0) break
    }
    await stream.close()
    return latest
  } finally {
    await consumer.close(true)
  }
}

/**
 * What `sretl verify` checks, once a running lander's publish cycles have reached every change (no
 * key in flight): every aggregate table equals its oracle over sales_raw, and the per-minute
 * aggregate has rows (so an empty pair of tables cannot pass).
 */
export async function assertAggregatesMatchOracle(pool: Pool, timeoutMs = 60_000): Promise<void> {
  const results = await waitFor(
    async () => {
      const r = await verifyAggregates(pool, { limit: 10 })
      return r.every((x) => x.inFlightCount === 0) ? r : undefined
    },
    { timeoutMs, intervalMs: 500, message: 'aggregate keys stayed in flight (publish cycles not done)' },
  )
  for (const r of results) {
    assert.equal(
      r.differenceCount,
      0,
      `${r.aggregate} differs from its oracle: ${JSON.stringify(r.differences)}`,
    )
    assert.equal(r.tableRows, r.oracleRows, `${r.aggregate}: as many rows as the oracle`)
  }
  assert.ok(
    (results.find((r) => r.aggregate === 'sales_minute')?.tableRows ?? 0) > 0,
    'sales_agg_minute has rows',
  )
}
