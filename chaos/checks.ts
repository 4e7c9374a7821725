/**
 * What a chaos scenario must leave behind, checked once the load has ended and the lander has
 * caught up: every expected event_id in sales_raw once (lost, doubled, unexpected), the stored
 * offsets at the end of every partition, the dead-letter topic holding exactly the poison that was
 * sent, and `sretl verify` (its code) with no difference and nothing in flight.
 */
import type { KafkaConfig } from '../src/platform/base-config.ts'
import { verifyAggregates } from '../src/aggregates/verify.ts'
import type { Pool } from '../src/platform/postgres.ts'
import { topicNames } from '../src/platform/topics.ts'
import { DLQ_HEADERS } from '../src/lander/dead-letters.ts'
import { endOffsets, readDeadLetters, storedOffsets } from '../test/support/lander.ts'
import { sleep } from './load.ts'

export interface Checks {
  readonly lost: number
  readonly doubled: number
  readonly unexpected: number
  /** Partitions whose stored offset is not the partition's end offset. */
  readonly offsetsBehind: number
  /** Distinct source records in the dead-letter topic. */
  readonly deadLetters: number
  /** Dead-letter messages, re-sends included (a crash between their send and the COMMIT). */
  readonly deadLetterMessages: number
  readonly verifyDifferences: number
  readonly verifyInFlight: number
}

export async function landedAgainst(
  pool: Pool,
  expected: ReadonlySet<string>,
): Promise<Pick<Checks, 'lost' | 'doubled' | 'unexpected'>> {
  const { rows } = await pool.query<{ id: string; n: number }>(
    'SELECT event_id::text AS id, count(*)::int AS n FROM sales_raw GROUP BY event_id',
  )
  let doubled = 0
  let unexpected = 0
  const landed = new Set<string>()
  for (const r of rows) {
    landed.add(r.id)
    if (r.n > 1) doubled += r.n - 1
    if (!expected.has(r.id)) unexpected += 1
  }
  let lost = 0
  for (const id of expected) if (!landed.has(id)) lost += 1
  return { lost, doubled, unexpected }
}

export async function offsetsBehind(kafka: KafkaConfig, pool: Pool, group: string): Promise<number> {
  const topic = topicNames(kafka).salesEvents
  const stored = await storedOffsets(pool, group, topic)
  const ends = await endOffsets(kafka, topic, kafka.salesPartitions)
  return [...ends].filter(([p, end]) => end > 0n && stored.get(p) !== end).length
}

export async function deadLetterCounts(
  kafka: KafkaConfig,
): Promise<Pick<Checks, 'deadLetters' | 'deadLetterMessages'>> {
  const ends = await endOffsets(kafka, topicNames(kafka).salesDlq, Math.min(3, kafka.salesPartitions))
  const total = Number([...ends.values()].reduce((a, b) => a + b, 0n))
  const letters = await readDeadLetters(kafka, total)
  const sources = new Set(
    letters.map(
      (l) => `${l.headers.get(DLQ_HEADERS.sourcePartition)}:${l.headers.get(DLQ_HEADERS.sourceOffset)}`,
    ),
  )
  return { deadLetters: sources.size, deadLetterMessages: total }
}

/** `sretl verify` once a publish cycle had the chance to run: waits up to `timeoutMs` for 0 in flight. */
export async function verifyAfterCycle(
  pool: Pool,
  timeoutMs = 30_000,
): Promise<Pick<Checks, 'verifyDifferences' | 'verifyInFlight'>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const results = await verifyAggregates(pool, { limit: 0 })
    const verifyDifferences = results.reduce((sum, r) => sum + r.differenceCount, 0)
    const verifyInFlight = results.reduce((sum, r) => sum + r.inFlightCount, 0)
    if ((verifyDifferences === 0 && verifyInFlight === 0) || Date.now() > deadline) {
      return { verifyDifferences, verifyInFlight }
    }
    await sleep(1000)
  }
}

export async function runChecks(
  kafka: KafkaConfig,
  pool: Pool,
  group: string,
  expected: ReadonlySet<string>,
): Promise<Checks> {
  return {
    ...(await landedAgainst(pool, expected)),
    offsetsBehind: await offsetsBehind(kafka, pool, group),
    ...(await deadLetterCounts(kafka)),
    ...(await verifyAfterCycle(pool)),
  }
}
