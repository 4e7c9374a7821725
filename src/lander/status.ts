/**
 * The lander's `/status` details, per partition in Kafka Connect's terms: RUNNING, PAUSED, or
 * FAILED with the last error (FAILED here means "landing fails and is being retried"; it returns
 * to RUNNING by itself once a batch lands). Lag in messages is the end offset minus the stored
 * offset; lag in seconds is the age, by Kafka timestamp, of the oldest record not yet landed.
 */
import type { ComponentStatus, LastError } from '../platform/component-server.ts'
import type { LanderConfig } from './config.ts'
import type { LatencyWindow } from './latency-window.ts'
import type { PartitionTracker } from './partition-tracker.ts'
import type { LanderRecord } from './records.ts'

export interface LagSnapshot {
  readonly endOffsets: ReadonlyMap<number, bigint>
  /** When the end offsets were read (clock ms). */
  readonly at: number | undefined
}

export interface PartitionStatus {
  readonly partition: number
  readonly state: 'RUNNING' | 'PAUSED' | 'FAILED'
  readonly lastError: LastError | null
  /** Next offset stored in PostgreSQL (everything below it has landed). */
  readonly storedOffset: number | null
  readonly endOffset: number | null
  readonly lagMessages: number | null
  readonly lagSeconds: number | null
}

export interface LanderDetails {
  readonly group: string
  readonly topic: string
  readonly paused: boolean
  /** Why fetching is stopped right now: operator, seek (reading stored offsets), retry. */
  readonly fetchPausedFor: readonly string[]
  readonly partitions: readonly PartitionStatus[]
  readonly totals: {
    readonly rows: number
    readonly duplicates: number
    readonly deadLetters: number
    readonly batches: number
    readonly skippedLanded: number
    readonly skippedInHand: number
  }
  readonly lastCommitAt: string | null
  readonly lagCheckedAt: string | null
  readonly latencyMs: {
    readonly samples: number
    readonly eventToCommit: Percentiles
    readonly produceToCommit: Percentiles
  }
  readonly buffered: {
    /** Records held: the batch being filled, the batch being landed, the Kafka client's buffer. */
    readonly records: number
    readonly fillingRecords: number
    readonly landingRecords: number
    readonly clientRecords: number
    /** What `records` can reach at most, plus the records of one fetch response. */
    readonly limitRecords: number
  }
}

export interface Percentiles {
  readonly p50: number | null
  readonly p95: number | null
  readonly p99: number | null
}

export type LanderStatus = Pick<ComponentStatus, 'state' | 'since' | 'lastError'> & {
  readonly details: LanderDetails
}

export interface StatusInput {
  readonly now: number
  readonly state: Pick<ComponentStatus, 'state' | 'since' | 'lastError'>
  readonly config: LanderConfig
  readonly topic: string
  readonly tracker: PartitionTracker
  readonly lag: LagSnapshot
  readonly failing: { readonly error: LastError; readonly partitions: ReadonlySet<number> } | undefined
  readonly paused: boolean
  readonly fetchPausedFor: readonly string[]
  readonly filling: readonly LanderRecord[]
  readonly landing: readonly LanderRecord[]
  readonly streamBuffered: number
  readonly lastLandedProduceMs: ReadonlyMap<number, number>
  readonly totals: LanderDetails['totals']
  readonly lastCommitAt: number | undefined
  readonly eventLatency: LatencyWindow
  readonly produceLatency: LatencyWindow
}

function percentiles(window: LatencyWindow): Percentiles {
  const [p50, p95, p99] = window
    .percentiles([50, 95, 99])
    .map((v) => (v === undefined ? null : Math.round(v)))
  return { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null }
}

export function buildStatus(input: StatusInput): LanderStatus {
  const { now, tracker } = input
  // the oldest record not yet landed, per partition, among those in memory
  const oldest = new Map<number, number>()
  for (const r of [...input.landing, ...input.filling]) {
    const p = r.source.partition
    const stored = tracker.landedOffset(p)
    if (stored !== undefined && r.source.offset < stored) continue
    const seen = oldest.get(p)
    if (seen === undefined || r.produceTimeMs < seen) oldest.set(p, r.produceTimeMs)
  }
  const partitions = tracker.assigned().map((partition): PartitionStatus => {
    const stored = tracker.landedOffset(partition)
    const end = input.lag.endOffsets.get(partition)
    const lagMessages = stored !== undefined && end !== undefined ? Math.max(0, Number(end - stored)) : null
    let lagSeconds: number | null = null
    if (lagMessages === 0) lagSeconds = 0
    else if (lagMessages !== null) {
      // not fetched yet (paused, just assigned): the last landed record's age bounds it from above
      const since = oldest.get(partition) ?? input.lastLandedProduceMs.get(partition)
      lagSeconds = since === undefined ? null : Math.max(0, (now - since) / 1000)
    }
    const failed = input.failing?.partitions.has(partition) === true
    return {
      partition,
      state: failed ? 'FAILED' : input.paused ? 'PAUSED' : 'RUNNING',
      lastError: failed ? (input.failing?.error ?? null) : null,
      storedOffset: stored === undefined ? null : Number(stored),
      endOffset: end === undefined ? null : Number(end),
      lagMessages,
      lagSeconds,
    }
  })
  const { batch, fetch } = input.config
  return {
    ...input.state,
    details: {
      group: input.config.groupId,
      topic: input.topic,
      paused: input.paused,
      fetchPausedFor: input.fetchPausedFor,
      partitions,
      totals: input.totals,
      lastCommitAt: input.lastCommitAt === undefined ? null : new Date(input.lastCommitAt).toISOString(),
      lagCheckedAt: input.lag.at === undefined ? null : new Date(input.lag.at).toISOString(),
      latencyMs: {
        samples: input.eventLatency.count,
        eventToCommit: percentiles(input.eventLatency),
        produceToCommit: percentiles(input.produceLatency),
      },
      buffered: {
        records: input.filling.length + input.landing.length + input.streamBuffered,
        fillingRecords: input.filling.length,
        landingRecords: input.landing.length,
        clientRecords: input.streamBuffered,
        limitRecords: 2 * batch.maxRows + fetch.maxRecords,
      },
    },
  }
}
