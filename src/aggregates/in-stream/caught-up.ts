import type { PartitionLag } from './landed-batch.ts'

/**
 * Whether a lander has landed everything Kafka holds for its partitions (as of its last lag
 * reading): the idle watermark may then move to the wall clock. A partition that never held a
 * record has no stored offset; it is caught up when its end offset is 0.
 */
export function caughtUp(partitions: readonly PartitionLag[]): boolean {
  return partitions.every((p) => p.lagMessages === 0 || (p.storedOffset === null && p.endOffset === 0))
}
