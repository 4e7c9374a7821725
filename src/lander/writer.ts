/**
 * The writer: takes one batch at a time and lands it in one transaction (landing.ts), retrying
 * a failure with capped exponential backoff while fetching is paused, until it lands or the
 * lander stops. After each COMMIT it records the result and commits Kafka's offsets (for lag
 * tools only).
 */
import { errorMessage } from '../platform/errors.ts'
import { backoffMs, sleep } from '../platform/lifecycle.ts'
import type { Logger } from '../platform/logger.ts'
import { sqlState } from '../platform/postgres.ts'
import type { Batch, Batcher } from './batcher.ts'
import type { LanderConfig } from './config.ts'
import type { FetchGate } from './fetch-gate.ts'
import type { LandedStats } from './landed-stats.ts'
import type { LanderHooks, LandingResult } from './landing.ts'
import type { LanderState } from './lander-state.ts'
import type { LanderMetrics } from './metrics.ts'
import type { PartitionTracker } from './partition-tracker.ts'
import { isRetryableFailure, retryReason } from './retry-reason.ts'
import type { ReachFault } from './test-fault.ts'

export interface WriterDeps {
  /** Lands one batch in one transaction (landBatch), or throws having rolled it back. */
  readonly land: (batch: Batch) => Promise<LandingResult>
  readonly batcher: Batcher
  readonly tracker: PartitionTracker
  readonly stats: LandedStats
  readonly gate: FetchGate
  readonly state: LanderState
  readonly retry: LanderConfig['retry']
  readonly metrics: Pick<LanderMetrics, 'retries'>
  readonly logger: Logger
  readonly signal: AbortSignal
  readonly fault: ReachFault
  /** The informational Kafka commit (kafka-commit.ts). */
  readonly commitKafka: () => void
  readonly afterCommit?: LanderHooks['afterCommit']
}

export interface Writer {
  /** Runs until the batcher is closed and drained, or the lander stops while a batch fails. */
  run(): Promise<void>
  /** The batch being landed, if any. */
  readonly landing: Batch | undefined
}

export function createWriter(deps: WriterDeps): Writer {
  const { gate, state, logger } = deps
  let landing: Batch | undefined

  const recordLanded = async (result: LandingResult): Promise<void> => {
    for (const p of result.batch.partitions) deps.tracker.landed(p.partition, p.nextOffset)
    deps.stats.record(result)
    logLanded(logger, result)
    deps.fault('after-commit-before-kafka-commit')
    deps.commitKafka()
    if (deps.afterCommit) {
      try {
        await deps.afterCommit(result)
      } catch (err) {
        logger.error({ err }, 'afterCommit hook failed')
      }
    }
  }

  const failed = (batch: Batch, err: unknown, attempt: number): void => {
    const reason = retryReason(err)
    const retryable = isRetryableFailure(err)
    deps.metrics.retries.inc({ reason })
    const code = retryable ? 'LANDER_RETRYING' : 'LANDER_STUCK'
    const message = `landing a batch of ${batch.records.length} records failed: ${errorMessage(err)}`
    state.landingFailed(code, message, new Set(batch.records.map((r) => r.source.partition)))
    gate.pause('retry')
    ;(retryable ? logger.warn : logger.error).call(
      logger,
      { err, sqlState: sqlState(err), reason, attempt },
      'landing failed; retrying',
    )
  }

  /** Lands one batch, retrying until it lands; false when given up because the lander stops. */
  const landWithRetry = async (batch: Batch): Promise<boolean> => {
    let attempt = 0
    for (;;) {
      try {
        const result = await deps.land(batch)
        if (attempt > 0) {
          logger.info({ attempts: attempt + 1 }, 'batch landed after retries')
          gate.resume('retry')
          state.landingRecovered()
        }
        await recordLanded(result)
        return true
      } catch (err) {
        attempt += 1
        failed(batch, err, attempt)
        if (state.stopping) return false
        await sleep(backoffMs(attempt, deps.retry.baseMs, deps.retry.maxMs), deps.signal)
        if (state.stopping) return false
      }
    }
  }

  const run = async (): Promise<void> => {
    for (;;) {
      const batch = await deps.batcher.take()
      if (!batch) return
      landing = batch
      const landed = await landWithRetry(batch)
      landing = undefined
      if (!landed) {
        // stopping while PostgreSQL fails: what is in hand is not stored and is read again later
        deps.batcher.close()
        while (await deps.batcher.take());
        return
      }
    }
  }

  return {
    run,
    get landing() {
      return landing
    },
  }
}

function logLanded(logger: Logger, result: LandingResult): void {
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
}
