/**
 * Positions the assigned partitions at their stored offsets on every group join (seek.ts, ADR
 * 0010), with fetching held paused until it is done. A newer join supersedes a seek still retrying.
 */
import { errorMessage } from '../platform/errors.ts'
import type { BytesConsumer } from '../platform/kafka.ts'
import { backoffMs, sleep } from '../platform/lifecycle.ts'
import type { Logger } from '../platform/logger.ts'
import type { Queryable } from '../platform/sql.ts'
import type { LanderConfig } from './config.ts'
import type { FetchGate } from './fetch-gate.ts'
import type { LanderState } from './lander-state.ts'
import type { LanderMetrics } from './metrics.ts'
import type { PartitionTracker, SeekPosition } from './partition-tracker.ts'
import { retryReason } from './retry-reason.ts'
import { assignedPartitions, seekPositions } from './seek.ts'

export interface SeekerDeps {
  readonly consumer: BytesConsumer
  readonly db: Queryable
  readonly tracker: PartitionTracker
  readonly group: string
  readonly topic: string
  readonly retry: LanderConfig['retry']
  readonly gate: FetchGate
  readonly state: LanderState
  readonly metrics: Pick<LanderMetrics, 'retries'>
  readonly logger: Logger
  readonly signal: AbortSignal
  /** After the positions were applied and fetching resumed. */
  readonly onJoined: () => void
}

/** What a seek writes into: the stream's next fetch positions, keyed `topic:partition`. */
export interface SeekTarget {
  readonly offsetsToFetch: Map<string, bigint>
}

/** Returns the handler of the stream's 'offsets' event. */
export function createSeeker(deps: SeekerDeps): (target: SeekTarget) => void {
  const { tracker, topic, gate, state, logger } = deps
  let generation = 0
  const seek = async (target: SeekTarget, mine: number): Promise<void> => {
    let attempt = 0
    while (!state.stopping && mine === generation) {
      try {
        const partitions = assignedPartitions(deps.consumer, topic)
        const positions = await seekPositions(
          { consumer: deps.consumer, db: deps.db, tracker, group: deps.group, topic },
          partitions,
        )
        if (mine !== generation) return
        for (const p of positions) target.offsetsToFetch.set(`${topic}:${p.partition}`, p.position)
        logPositions(logger, positions)
        state.joined()
        gate.resume('seek')
        deps.onJoined()
        return
      } catch (err) {
        attempt += 1
        deps.metrics.retries.inc({ reason: retryReason(err) })
        logger.warn({ err, attempt }, 'reading stored offsets failed; retrying')
        state.recordError('LANDER_RETRYING', `reading stored offsets failed: ${errorMessage(err)}`)
        await sleep(backoffMs(attempt, deps.retry.baseMs, deps.retry.maxMs), deps.signal)
      }
    }
  }
  return (target) => {
    const mine = ++generation
    gate.pause('seek')
    void seek(target, mine)
  }
}

function logPositions(logger: Logger, positions: readonly SeekPosition[]): void {
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
}
