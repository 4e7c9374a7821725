/**
 * The lander: Kafka sales.events.v1 → PostgreSQL sales_raw, exactly once in effect. It wires
 * its parts, which share no state but what they are given:
 *
 *   reader.ts      — consumes the topic, drops records already landed or in hand, fills the batcher
 *   writer.ts      — lands one batch at a time in one transaction, retrying while fetching is paused
 *   seeker.ts      — on every group join, positions the assigned partitions at their stored offsets
 *   fetch-gate.ts  — fetching runs only while nobody (operator, seek, retry) holds it paused
 *   lander-state.ts — ready / failing / stopping, and the state /status shows
 *   lag.ts         — end offsets and the lag gauges
 *
 * Kafka offsets are committed after each PostgreSQL COMMIT, for lag tools only.
 */
import { StateTracker } from '../platform/component-server.ts'
import { errorMessage } from '../platform/errors.ts'
import type { BytesConsumer, BytesProducer } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'
import type { Pool } from '../platform/postgres.ts'
import { Batcher } from './batcher.ts'
import type { LanderConfig } from './config.ts'
import { FetchGate } from './fetch-gate.ts'
import { createKafkaCommitter } from './kafka-commit.ts'
import { createLag } from './lag.ts'
import { LandedStats } from './landed-stats.ts'
import { LanderState } from './lander-state.ts'
import { CopyStrategy, landBatch, type LanderHooks, type LandingContext } from './landing.ts'
import type { LanderMetrics } from './metrics.ts'
import { PartitionTracker } from './partition-tracker.ts'
import { createReader } from './reader.ts'
import { createSeeker } from './seeker.ts'
import { buildStatus, type LanderStatus } from './status.ts'
import { createFault } from './test-fault.ts'
import { createWriter } from './writer.ts'

export interface LanderDeps {
  readonly consumer: BytesConsumer
  /** Acts as sretl_writer. */
  readonly pool: Pool
  readonly producer: BytesProducer
  readonly logger: Logger
  readonly metrics: LanderMetrics
  readonly clock: () => number
  readonly config: LanderConfig
  readonly topics: { readonly source: string; readonly dlq: string }
  readonly sendTimeoutMs: number
  readonly hooks?: LanderHooks
}

export interface Lander {
  /** Starts consuming in the background (joining, seeking); returns at once. */
  start(): void
  /** Stops fetching, lands what is in hand (unless PostgreSQL fails), leaves the group. */
  stop(): Promise<void>
  pause(reason: string): void
  resume(reason: string): void
  status(): LanderStatus
  /** Reads the partitions' end offsets and updates the lag gauges. */
  refreshLag(): Promise<void>
  /** True once the group was joined and the stored offsets were applied. */
  readonly ready: boolean
}

export function createLander(deps: LanderDeps): Lander {
  const { consumer, logger, metrics, clock, config, topics } = deps
  const hooks = deps.hooks ?? {}
  const tracker = new PartitionTracker()
  const batcher = new Batcher(config.batch, clock)
  const gate = new FetchGate()
  const state = new LanderState(new StateTracker(() => new Date(clock())), clock, () => gate.has('operator'))
  const stats = new LandedStats(metrics)
  const abort = new AbortController()
  const fault = createFault(config.fault)
  const context = landingContext(deps, hooks, fault)
  const common = { gate, state, metrics, logger, retry: config.retry, signal: abort.signal }
  let loops: Promise<unknown> | undefined

  const onOffsets = createSeeker({
    ...common,
    consumer,
    db: deps.pool,
    tracker,
    group: config.groupId,
    topic: topics.source,
    onJoined: () => void lag.refresh(),
  })
  const reader = createReader({
    ...common,
    consumer,
    topic: topics.source,
    fetch: config.fetch,
    tracker,
    batcher,
    clock,
    onOffsets,
    skipped: stats.totals,
  })
  const kafkaCommitter = createKafkaCommitter(consumer, topics.source, tracker, logger)
  const writer = createWriter({
    ...common,
    land: (batch) => landBatch(context, batch),
    batcher,
    tracker,
    stats,
    fault,
    commitKafka: () => kafkaCommitter.commit(),
    ...(hooks.afterCommit ? { afterCommit: hooks.afterCommit.bind(hooks) } : {}),
  })

  const lag = createLag({ consumer, topic: topics.source, clock, logger, metrics, status: () => status() })
  const status = (): LanderStatus =>
    buildStatus({
      now: clock(),
      state: state.snapshot(),
      config,
      topic: topics.source,
      tracker,
      lag: lag.snapshot(),
      failing: state.failing,
      paused: gate.has('operator'),
      fetchPausedFor: gate.reasons(),
      filling: batcher.pendingRecords,
      landing: writer.landing?.records ?? [],
      streamBuffered: reader.stream?.readableLength ?? 0,
      lastLandedProduceMs: stats.lastLandedProduceMs,
      totals: stats.totals,
      lastCommitAt: stats.lastCommitAt,
      eventLatency: stats.eventLatency,
      produceLatency: stats.produceLatency,
    })

  return {
    start() {
      logger.info({ group: config.groupId, topic: topics.source }, 'lander starting')
      loops = Promise.all([reader.run(), writer.run()]).catch((err: unknown) => {
        logger.error({ err }, 'lander loop failed')
        state.crashed(errorMessage(err))
      })
    },
    async stop() {
      if (!state.beginStopping()) return
      gate.pause('operator')
      abort.abort()
      const current = reader.stream
      batcher.close()
      if (current) await current.close().catch(() => undefined)
      await loops
    },
    pause(reason) {
      if (gate.has('operator')) return
      logger.info({ reason }, 'lander paused')
      gate.pause('operator')
      metrics.paused.set(1)
      state.operatorChanged()
    },
    resume(reason) {
      if (!gate.has('operator')) return
      logger.info({ reason }, 'lander resumed')
      gate.resume('operator')
      metrics.paused.set(0)
      state.operatorChanged()
    },
    status,
    refreshLag: () => lag.refresh(),
    get ready() {
      return state.ready
    },
  }
}

/** What each landing transaction needs: the pool, where dead letters go, the aggregates' hooks. */
function landingContext(
  deps: LanderDeps,
  hooks: LandingContext['hooks'],
  fault: LandingContext['fault'],
): LandingContext {
  const { config, topics } = deps
  return {
    pool: deps.pool,
    group: config.groupId,
    topic: topics.source,
    dlqTopic: topics.dlq,
    producer: deps.producer,
    sendTimeoutMs: deps.sendTimeoutMs,
    hooks,
    clock: deps.clock,
    strategy: new CopyStrategy(config.directCopy),
    fault,
  }
}
