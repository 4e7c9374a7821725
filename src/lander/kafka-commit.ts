/**
 * Kafka's committed offsets, written after each PostgreSQL COMMIT for lag tools only (the lander
 * never reads them, ADR 0010). One commit in flight at a time; landings during it are folded
 * into the next one, which carries the latest stored offsets.
 */
import type { BytesConsumer } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'
import type { PartitionTracker } from './partition-tracker.ts'

export function createKafkaCommitter(
  consumer: BytesConsumer,
  topic: string,
  tracker: PartitionTracker,
  logger: Logger,
): { commit(): void } {
  let inFlight = false
  let again = false
  const commit = (): void => {
    if (inFlight) {
      again = true
      return
    }
    const offsets = tracker
      .assigned()
      .map((partition) => ({ partition, offset: tracker.landedOffset(partition) }))
      .filter((o): o is { partition: number; offset: bigint } => o.offset !== undefined)
      .map((o) => ({ topic, partition: o.partition, offset: o.offset, leaderEpoch: -1 }))
    if (offsets.length === 0) return
    inFlight = true
    again = false
    consumer
      .commit({ offsets })
      .catch((err: unknown) => logger.debug({ err }, 'informational Kafka commit failed'))
      .finally(() => {
        inFlight = false
        if (again) commit()
      })
  }
  return { commit }
}
