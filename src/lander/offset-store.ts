/**
 * The consumer_offsets table: the lander's source of truth for where each partition resumes.
 * Written in the landing transaction; never moved backwards by a lander (GREATEST), so a stale
 * lander finishing a batch after a rebalance cannot rewind what a newer owner stored.
 */
import type { Queryable } from '../platform/sql.ts'

export async function loadStoredOffsets(
  db: Queryable,
  group: string,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, bigint>> {
  const { rows } = await db.query<{ partition: number; next_offset: string }>(
    `SELECT partition, next_offset::text AS next_offset FROM consumer_offsets
      WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3::int[])`,
    [group, topic, [...partitions]],
  )
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]))
}

/** Raises the stored next offsets to `next` (per partition); partitions in ascending order. */
export async function storeOffsets(
  db: Queryable,
  group: string,
  topic: string,
  next: ReadonlyMap<number, bigint>,
): Promise<void> {
  const entries = [...next].sort(([a], [b]) => a - b)
  await db.query(
    `INSERT INTO consumer_offsets AS o (consumer_group, topic, partition, next_offset, updated_at)
     SELECT $1, $2, t.partition, t.next_offset, now()
       FROM unnest($3::int[], $4::bigint[]) AS t(partition, next_offset)
     ON CONFLICT (consumer_group, topic, partition) DO UPDATE
        SET next_offset = GREATEST(o.next_offset, EXCLUDED.next_offset),
            updated_at = now()`,
    [group, topic, entries.map(([p]) => p), entries.map(([, o]) => o.toString())],
  )
}
