/**
 * What the in-stream aggregates need from the lander, declared here so the aggregates depend on
 * no component: the lander's own landing types satisfy these structurally, and the wiring in
 * `src/lander/main.ts` is where the compiler checks that they still do.
 */
import type { AggregatableRow } from '../../domain/aggregates.ts'
import type { PoolClient } from '../../platform/postgres.ts'

/** A row that was new to sales_raw in the landing transaction. */
export interface LandedRow extends AggregatableRow {
  /** Where the record was read (the aggregates' watermark is kept per source partition). */
  readonly source: { readonly partition: number }
  /** Kafka record timestamp, ms. */
  readonly produceTimeMs: number
}

/** A batch after its COMMIT. */
export interface CommittedBatch {
  readonly batch: { readonly partitions: readonly { readonly lastProduceTimeMs: number }[] }
  /** Clock time of the COMMIT's acknowledgement, ms. */
  readonly committedAt: number
}

/** The two points where the aggregates plug into a landing (the lander's `LanderHooks`). */
export interface LandingHooks {
  inTransaction(client: PoolClient, newRows: readonly LandedRow[]): Promise<void>
  afterCommit(result: CommittedBatch): void
}

/** What the idle watermark needs to know of each partition's lag (the lander's `PartitionStatus`). */
export interface PartitionLag {
  readonly storedOffset: number | null
  readonly endOffset: number | null
  readonly lagMessages: number | null
}
