/** The lander as the benchmark runs it: in this process, default settings, timing hooks. */
import { landerOwnSection, type LanderConfig } from '../src/lander/config.ts'
import { createLander } from '../src/lander/lander.ts'
import type { LanderHooks, LandingResult } from '../src/lander/landing.ts'
import { createLanderMetrics } from '../src/lander/metrics.ts'
import { loadConfig } from '../src/platform/config.ts'
import { createConsumer, createProducer } from '../src/platform/kafka.ts'
import { silentLogger } from '../src/platform/logger.ts'
import { createMetricsRegistry } from '../src/platform/metrics.ts'
import { createPool } from '../src/platform/postgres.ts'
import type { Setup } from './bench-stack.ts'

export interface BenchLander {
  readonly config: LanderConfig
  readonly stats: { records: number; firstCommit: number; lastCommit: number }
  readonly eventLatencies: number[]
  readonly produceLatencies: number[]
  /** Rows whose event_time is before this are not counted in the latencies. */
  steadyFrom: number
  waitForRecords(target: number): Promise<void>
  transactionSeconds(): Promise<{ count: number; seconds: number }>
  stop(): Promise<void>
}

/** The lander with its default settings (environment variables apply), in this process. */
export function startBenchLander(
  setup: Setup,
  url: string,
  group: string,
  extra: LanderHooks = {},
): BenchLander {
  const config = loadConfig({ ...process.env, LANDER_GROUP_ID: group }, landerOwnSection)
  const pool = createPool(
    { url, poolMax: 3, connectTimeoutMs: 5000 },
    {
      applicationName: 'sretl-lander-bench',
      role: 'sretl_writer',
      statementTimeoutMs: config.statementTimeoutMs,
    },
  )
  const dlqProducer = createProducer(setup.kafka, 'bench-dlq')
  const consumer = createConsumer(setup.kafka, {
    groupId: config.groupId,
    clientSuffix: 'bench-lander',
    maxBytes: config.fetch.maxBytes,
    highWaterMark: config.fetch.maxRecords,
  })
  const metrics = createLanderMetrics(createMetricsRegistry({ component: 'lander', processMetrics: false }))
  let onLanded = (): void => undefined
  const bench: BenchLander = {
    config,
    stats: { records: 0, firstCommit: 0, lastCommit: 0 },
    eventLatencies: [],
    produceLatencies: [],
    steadyFrom: Infinity,
    waitForRecords: (target) =>
      new Promise((resolve) => {
        onLanded = () => {
          if (bench.stats.records >= target) resolve()
        }
        onLanded()
      }),
    async transactionSeconds() {
      const values = (await metrics.transactionSeconds.get()).values
      const find = (name: string): number => values.find((v) => v.metricName === name)?.value ?? 0
      return {
        count: find('sretl_lander_transaction_seconds_count'),
        seconds: find('sretl_lander_transaction_seconds_sum'),
      }
    },
    async stop() {
      await lander.stop()
      await consumer.close(true)
      await dlqProducer.close()
      await pool.end()
    },
  }
  const lander = createLander({
    consumer,
    pool,
    producer: dlqProducer,
    logger: silentLogger(),
    metrics,
    clock: () => Date.now(),
    config,
    topics: { source: setup.topics.salesEvents, dlq: setup.topics.salesDlq },
    sendTimeoutMs: 30_000,
    hooks: {
      ...(extra.inTransaction
        ? {
            inTransaction: (client, rows, info) =>
              extra.inTransaction?.(client, rows, info) ?? Promise.resolve(),
          }
        : {}),
      async afterCommit(result: LandingResult) {
        await extra.afterCommit?.(result)
        bench.stats.records += result.batch.records
        bench.stats.firstCommit ||= performance.now()
        bench.stats.lastCommit = performance.now()
        for (const row of result.newRows) {
          if (row.eventTimeMs < bench.steadyFrom) continue
          bench.eventLatencies.push(result.committedAt - row.eventTimeMs)
          bench.produceLatencies.push(result.committedAt - row.produceTimeMs)
        }
        onLanded()
      },
    },
  })
  lander.start()
  return bench
}
