/**
 * Seeking to the offsets stored in PostgreSQL when partitions are assigned (ADR 0010).
 *
 * @platformatic/kafka's MessagesStream, after every group join, lists offsets, fills its
 * `offsetsToFetch` map (Kafka's committed offsets, else the fallback) and emits 'offsets'
 * synchronously right before it fetches. The lander pauses the stream in that event (so the
 * fetch that follows returns at once), reads the stored offsets, overwrites `offsetsToFetch` for
 * the assigned partitions, and resumes. Kafka's own committed offsets are never used.
 */
import { ListOffsetTimestamps } from '@platformatic/kafka'
import type { BytesConsumer } from '../platform/kafka.ts'
import type { Queryable } from '../platform/sql.ts'
import { loadStoredOffsets } from './offset-store.ts'
import type { PartitionTracker, SeekPosition } from './partition-tracker.ts'

export interface SeekDeps {
  readonly consumer: BytesConsumer
  readonly db: Queryable
  readonly tracker: PartitionTracker
  readonly group: string
  readonly topic: string
}

/** The partitions of `topic` assigned to this consumer now. */
export function assignedPartitions(consumer: BytesConsumer, topic: string): number[] {
  const assignment = consumer.assignments?.find((a) => a.topic === topic)
  return [...(assignment?.partitions ?? [])].sort((a, b) => a - b)
}

export async function partitionOffsets(
  consumer: BytesConsumer,
  topic: string,
  which: 'earliest' | 'latest',
): Promise<Map<number, bigint>> {
  const offsets = await consumer.listOffsets({
    topics: [topic],
    timestamp: which === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
  })
  const list = offsets.get(topic) ?? []
  return new Map(list.map((offset, partition) => [partition, offset]))
}

/** Where each assigned partition's fetching must start (and the tracker updated accordingly). */
export async function seekPositions(deps: SeekDeps, partitions: readonly number[]): Promise<SeekPosition[]> {
  if (partitions.length === 0)
    return deps.tracker.assign([], { stored: new Map(), earliest: new Map(), latest: new Map() })
  const [stored, earliest, latest] = await Promise.all([
    loadStoredOffsets(deps.db, deps.group, deps.topic, partitions),
    partitionOffsets(deps.consumer, deps.topic, 'earliest'),
    partitionOffsets(deps.consumer, deps.topic, 'latest'),
  ])
  return deps.tracker.assign(partitions, { stored, earliest, latest })
}
