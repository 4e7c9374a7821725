/**
 * The lander: Kafka sales.events.v1 → PostgreSQL sales_raw, exactly once in effect.
 *
 *   reader  — consumes the topic (re-created after a Kafka failure), drops records already
 *             landed or already in hand, decodes and validates each, and adds it to the batcher
 *             (waiting while the batch being filled is full: that is the backpressure)
 *   writer  — takes one batch at a time and lands it in one transaction (landing.ts), retrying
 *             retryable failures with capped exponential backoff while fetching is paused
 *   seek    — on every group join, positions the assigned partitions at their stored offsets
 *
 * Kafka offsets are committed after each PostgreSQL COMMIT, for lag tools only.
 */
import { MessagesStreamFallbackModes, MessagesStreamModes, type MessagesStream } from '@platformatic/kafka'
import { StateTracker, type LastError } from '../platform/component-server.ts'
import { errorMessage, isSretlError } from '../platform/errors.ts'
import type { BytesConsumer, BytesProducer } from '../platform/kafka.ts'
import { backoffMs, sleep } from '../platform/lifecycle.ts'
import type { Logger } from '../platform/logger.ts'
import { classifyPgError, sqlState, type Pool } from '../platform/postgres.ts'
import { Batcher, type Batch } from './batcher.ts'
import type { LanderConfig } from './config.ts'
import {
  CopyStrategy,
  landBatch,
  type LanderHooks,
  type LandingContext,
  type LandingResult,
} from './landing.ts'
import { createKafkaCommitter } from './kafka-commit.ts'
import { createFault } from './test-fault.ts'
import { LatencyWindow } from './latency-window.ts'
import { observeLanding, type LanderMetrics, type RetryReason } from './metrics.ts'
import { PartitionTracker } from './partition-tracker.ts'
import { decodeRecord } from './records.ts'
import { assignedPartitions, seekPositions } from './seek.ts'
import { buildStatus, type LanderStatus, type LagSnapshot } from './status.ts'

type BytesStream = MessagesStream<Buffer, Buffer, string, string>

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

type FetchPause = 'operator' | 'seek' | 'retry'

/** The reader lets I/O run after this many records (decoding one takes a few microseconds). */
const YIELD_EVERY_RECORDS = 256

export function retryReason(err: unknown): RetryReason {
  if (isSretlError(err)) return err.code.startsWith('KAFKA') ? 'kafka' : 'other'
  const state = sqlState(err)
  const kind = classifyPgError(err)
  if (kind === 'retryable') {
    return state !== undefined && (state.startsWith('40') || state === '55P03')
      ? 'pg_conflict'
      : 'pg_unavailable'
  }
  return state === undefined ? 'other' : 'pg_error'
}

function isRetryableFailure(err: unknown): boolean {
  if (isSretlError(err)) return err.retryable
  return classifyPgError(err) === 'retryable'
}

export function createLander(deps: LanderDeps): Lander {
  const { consumer, logger, metrics, clock, config, topics } = deps
  const hooks = deps.hooks ?? {}
  const tracker = new PartitionTracker()
  const batcher = new Batcher(config.batch, clock)
  const state = new StateTracker(() => new Date(clock()))
  const eventLatency = new LatencyWindow()
  const produceLatency = new LatencyWindow()
  const abort = new AbortController()
  const fetchPauses = new Set<FetchPause>()
  const fault = createFault(config.fault)
  const context: LandingContext = {
    pool: deps.pool,
    group: config.groupId,
    topic: topics.source,
    dlqTopic: topics.dlq,
    producer: deps.producer,
    sendTimeoutMs: deps.sendTimeoutMs,
    hooks,
    clock,
    strategy: new CopyStrategy(config.directCopy),
    fault,
  }
  let stream: BytesStream | undefined
  let streamPaused = false
  let seekGeneration = 0
  let ready = false
  let stopping = false
  let landing: Batch | undefined
  let failing: { error: LastError; partitions: ReadonlySet<number> } | undefined
  let lastCommitAt: number | undefined
  let lag: LagSnapshot = { endOffsets: new Map(), at: undefined }
  const lastLandedProduceMs = new Map<number, number>()
  const totals = { rows: 0, duplicates: 0, deadLetters: 0, batches: 0, skippedLanded: 0, skippedInHand: 0 }
  const kafkaCommitter = createKafkaCommitter(consumer, topics.source, tracker, logger)
  let loops: Promise<unknown> | undefined

  const applyFetchPause = (): void => {
    const want = fetchPauses.size > 0
    if (!stream || want === streamPaused) return
    streamPaused = want
    if (want) stream.pause()
    else stream.resume()
  }
  const pauseFetching = (why: FetchPause): void => {
    fetchPauses.add(why)
    applyFetchPause()
  }
  const resumeFetching = (why: FetchPause): void => {
    fetchPauses.delete(why)
    applyFetchPause()
  }
  const settledState = (): void => {
    if (stopping) return
    state.set(fetchPauses.has('operator') ? 'PAUSED' : ready ? 'RUNNING' : 'STARTING')
  }

  // ---- seek on assignment ----
  const onOffsets = (target: BytesStream): void => {
    const generation = ++seekGeneration
    pauseFetching('seek')
    void (async () => {
      let attempt = 0
      while (!stopping && generation === seekGeneration) {
        try {
          const partitions = assignedPartitions(consumer, topics.source)
          const positions = await seekPositions(
            { consumer, db: deps.pool, tracker, group: config.groupId, topic: topics.source },
            partitions,
          )
          if (generation !== seekGeneration) return
          for (const p of positions) target.offsetsToFetch.set(`${topics.source}:${p.partition}`, p.position)
          for (const p of positions.filter((x) => x.note === 'stored offset expired')) {
            logger.error(
              { partition: p.partition, position: String(p.position) },
              'records expired in Kafka before they were landed; resuming at the earliest offset Kafka has',
            )
          }
          for (const p of positions.filter((x) => x.note === 'stored offset beyond the end')) {
            logger.error(
              { partition: p.partition },
              'stored offset is beyond the end of the partition (topic recreated?); re-reading it from the start',
            )
          }
          logger.info(
            {
              partitions: positions.map((p) => ({
                partition: p.partition,
                offset: String(p.position),
                note: p.note,
              })),
            },
            'partitions assigned',
          )
          ready = true
          if (!failing) settledState()
          resumeFetching('seek')
          void refreshLag()
          return
        } catch (err) {
          attempt += 1
          metrics.retries.inc({ reason: retryReason(err) })
          logger.warn({ err, attempt }, 'reading stored offsets failed; retrying')
          state.recordError('LANDER_RETRYING', `reading stored offsets failed: ${errorMessage(err)}`)
          await sleep(backoffMs(attempt, config.retry.baseMs, config.retry.maxMs), abort.signal)
        }
      }
    })()
  }

  // ---- reader ----
  const openStream = async (): Promise<BytesStream> => {
    const created = await consumer.consume({
      topics: [topics.source],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      maxBytes: config.fetch.maxBytes,
      highWaterMark: config.fetch.maxRecords,
    })
    created.on('offsets', () => onOffsets(created))
    return created
  }

  const read = async (): Promise<void> => {
    let attempt = 0
    while (!stopping) {
      try {
        const current = await openStream()
        if (stopping) {
          // stop() came while joining: it could not close a stream that did not exist yet
          await current.close().catch(() => undefined)
          break
        }
        stream = current
        streamPaused = false
        applyFetchPause()
        attempt = 0
        let sinceYield = 0
        for await (const message of current) {
          if (stopping) continue
          const decision = tracker.admit(message.partition, message.offset)
          if (decision === 'landed') totals.skippedLanded += 1
          if (decision === 'in-hand') totals.skippedInHand += 1
          if (decision !== 'take') continue
          if (!(await batcher.add(decodeRecord(message, clock())))) break
          // records already buffered resolve in microtasks only; without a turn of the event loop
          // the writer's PostgreSQL replies would wait until a whole batch is decoded
          if (++sinceYield >= YIELD_EVERY_RECORDS) {
            sinceYield = 0
            await new Promise<void>((resolve) => setImmediate(resolve))
          }
        }
        if (stopping) break
        logger.warn('the Kafka stream ended; opening a new one')
      } catch (err) {
        if (stopping) break
        attempt += 1
        metrics.retries.inc({ reason: 'kafka' })
        state.recordError('KAFKA_UNAVAILABLE', `consuming failed: ${errorMessage(err)}`)
        logger.warn({ err, attempt }, 'consuming from Kafka failed; retrying')
      }
      ready = false
      stream = undefined
      await sleep(backoffMs(Math.max(1, attempt), config.retry.baseMs, config.retry.maxMs), abort.signal)
    }
    batcher.close()
  }

  // ---- writer ----
  const recordLanded = async (result: LandingResult): Promise<void> => {
    for (const p of result.batch.partitions) {
      tracker.landed(p.partition, p.nextOffset)
      lastLandedProduceMs.set(p.partition, p.lastProduceTimeMs)
    }
    totals.rows += result.newRows.length
    totals.duplicates += result.duplicates
    totals.deadLetters += result.deadLetters.length
    totals.batches += 1
    lastCommitAt = result.committedAt
    observeLanding(metrics, result)
    for (const row of result.newRows) {
      eventLatency.add(result.committedAt - row.eventTimeMs)
      produceLatency.add(result.committedAt - row.produceTimeMs)
    }
    if (result.retimed > 0) {
      // a producer re-sent events with a changed event_time: they are duplicates, not new sales
      logger.warn({ retimed: result.retimed }, 'event_ids re-sent with another event_time; not landed again')
    }
    if (result.deadLetters.length > 0) {
      logger.warn(
        {
          deadLetters: result.deadLetters.map((d) => ({
            partition: d.record.source.partition,
            offset: String(d.record.source.offset),
            code: d.rejection.code,
          })),
        },
        'records dead-lettered',
      )
    }
    fault('after-commit-before-kafka-commit')
    kafkaCommitter.commit()
    if (hooks.afterCommit) {
      try {
        await hooks.afterCommit(result)
      } catch (err) {
        logger.error({ err }, 'afterCommit hook failed')
      }
    }
  }

  /** Lands one batch, retrying until it lands; false when given up because the lander stops. */
  const landWithRetry = async (batch: Batch): Promise<boolean> => {
    let attempt = 0
    for (;;) {
      try {
        const result = await landBatch(context, batch)
        if (attempt > 0) {
          logger.info({ attempts: attempt + 1 }, 'batch landed after retries')
          failing = undefined
          resumeFetching('retry')
          settledState()
        }
        await recordLanded(result)
        return true
      } catch (err) {
        attempt += 1
        const reason = retryReason(err)
        const retryable = isRetryableFailure(err)
        metrics.retries.inc({ reason })
        const code = retryable ? 'LANDER_RETRYING' : 'LANDER_STUCK'
        const message = `landing a batch of ${batch.records.length} records failed: ${errorMessage(err)}`
        failing = {
          error: { code, message, at: new Date(clock()).toISOString() },
          partitions: new Set(batch.records.map((r) => r.source.partition)),
        }
        if (!stopping) state.fail(code, message)
        pauseFetching('retry')
        ;(retryable ? logger.warn : logger.error).call(
          logger,
          { err, sqlState: sqlState(err), reason, attempt },
          'landing failed; retrying',
        )
        if (stopping) return false
        await sleep(backoffMs(attempt, config.retry.baseMs, config.retry.maxMs), abort.signal)
        if (stopping) return false
      }
    }
  }

  const write = async (): Promise<void> => {
    for (;;) {
      const batch = await batcher.take()
      if (!batch) return
      landing = batch
      const landed = await landWithRetry(batch)
      landing = undefined
      if (!landed) {
        // stopping while PostgreSQL fails: what is in hand is not stored and is read again later
        batcher.close()
        while (await batcher.take());
        return
      }
    }
  }

  // ---- lag ----
  const refreshLag = async (): Promise<void> => {
    try {
      const offsets = await consumer.listOffsets({ topics: [topics.source] })
      const list = offsets.get(topics.source) ?? []
      lag = { endOffsets: new Map(list.map((o, p) => [p, o])), at: clock() }
    } catch (err) {
      logger.debug({ err }, 'reading end offsets failed')
    }
    updateLagGauges()
  }

  const updateLagGauges = (): void => {
    const snapshot = status()
    metrics.lagMessages.reset()
    metrics.lagSeconds.reset()
    for (const p of snapshot.details.partitions) {
      if (p.lagMessages !== null) metrics.lagMessages.set({ partition: String(p.partition) }, p.lagMessages)
      if (p.lagSeconds !== null) metrics.lagSeconds.set({ partition: String(p.partition) }, p.lagSeconds)
    }
  }

  const status = (): LanderStatus =>
    buildStatus({
      now: clock(),
      state: state.snapshot(),
      config,
      topic: topics.source,
      tracker,
      lag,
      failing,
      paused: fetchPauses.has('operator'),
      fetchPausedFor: [...fetchPauses].sort(),
      filling: batcher.pendingRecords,
      landing: landing?.records ?? [],
      streamBuffered: stream?.readableLength ?? 0,
      lastLandedProduceMs,
      totals,
      lastCommitAt,
      eventLatency,
      produceLatency,
    })

  return {
    start() {
      logger.info({ group: config.groupId, topic: topics.source }, 'lander starting')
      loops = Promise.all([read(), write()]).catch((err: unknown) => {
        logger.error({ err }, 'lander loop failed')
        state.fail('INTERNAL', errorMessage(err))
      })
    },
    async stop() {
      if (stopping) return
      stopping = true
      state.set('STOPPING')
      pauseFetching('operator')
      abort.abort()
      const current = stream
      batcher.close()
      if (current) await current.close().catch(() => undefined)
      await loops
    },
    pause(reason) {
      if (fetchPauses.has('operator')) return
      logger.info({ reason }, 'lander paused')
      pauseFetching('operator')
      metrics.paused.set(1)
      if (!failing) settledState()
    },
    resume(reason) {
      if (!fetchPauses.has('operator')) return
      logger.info({ reason }, 'lander resumed')
      resumeFetching('operator')
      metrics.paused.set(0)
      if (!failing) settledState()
    },
    status,
    refreshLag,
    get ready() {
      return ready
    },
  }
}
