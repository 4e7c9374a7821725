/**
 * One batch, one PostgreSQL transaction (ADR 0010, 0061):
 *
 *   COPY the valid rows into a session-local staging table
 *   INSERT INTO event_ids … ON CONFLICT (event_id) DO NOTHING RETURNING event_id, and
 *     INSERT INTO sales_raw only those rows (one statement; the ledger makes event_id alone the key)
 *   hooks.inTransaction(client, newRows)      ← aggregates plug in here
 *   send dead letters and wait for Kafka's acknowledgement
 *   raise consumer_offsets to the batch's next offsets (GREATEST)
 *   COMMIT
 *
 * A row PostgreSQL refuses (SQLSTATE class 22 or 23) aborts that attempt; the batch is then landed
 * again with the rows split in halves under savepoints until the refused rows are alone, and
 * those go to the dead-letter topic (EVENT_DB_REJECTED) while the rest land — still in one
 * transaction with the offsets. Any other error propagates: the caller retries the whole batch.
 */
import type { SaleLine } from '../domain/sale-line.ts'
import { sendWithTimeout, type BytesMessage, type BytesProducer } from '../platform/kafka.ts'
import {
  classifyPgError,
  describePgError,
  sqlState,
  type Pool,
  type PoolClient,
} from '../platform/postgres.ts'
import { COPY_COLUMNS } from './copy-encoder.ts'
import { deadLetterMessage } from './dead-letters.ts'
import type { Batch } from './batcher.ts'
import { storeOffsets } from './offset-store.ts'
import { isValid, truncate, type LanderRecord, type Rejection, type ValidRecord } from './records.ts'
import { copyFrom } from '../platform/copy-stream.ts'
import type { ReachFault } from './test-fault.ts'

export interface PartitionRange {
  readonly partition: number
  readonly firstOffset: bigint
  /** The offset stored for the partition: one past the batch's last record. */
  readonly nextOffset: bigint
  /** Kafka timestamp of the batch's newest record of the partition, ms. */
  readonly lastProduceTimeMs: number
}

export interface BatchInfo {
  readonly records: number
  readonly partitions: readonly PartitionRange[]
}

export interface DeadLetter {
  readonly record: LanderRecord
  readonly rejection: Rejection
}

export interface LandingResult {
  readonly batch: BatchInfo
  /** The rows sales_raw did not have before, in the order they were offered. */
  readonly newRows: readonly NewRow[]
  /** Valid records whose event_id had landed already (re-deliveries, re-sends). */
  readonly duplicates: number
  /** Of those, re-sends with an event_time other than the one that landed (ADR 0061). */
  readonly retimed: number
  readonly deadLetters: readonly DeadLetter[]
  readonly transactionMs: number
  /** Clock time of the COMMIT's acknowledgement, ms. */
  readonly committedAt: number
}

export interface NewRow {
  /** Where the record was read (the aggregates' watermark is kept per source partition). */
  readonly source: { readonly partition: number }
  readonly event: SaleLine
  readonly eventTimeMs: number
  /** Kafka record timestamp, ms. */
  readonly produceTimeMs: number
}

/** Where the aggregates (issue #5) plug in. */
export interface LanderHooks {
  /**
   * Runs inside the landing transaction after the rows were inserted and before the offsets are
   * stored, with exactly the rows that were new. Throwing rolls the whole batch back; it is then
   * retried (hook work included), so the hook must only write through `client`.
   */
  inTransaction?(client: PoolClient, newRows: readonly NewRow[], batch: BatchInfo): Promise<void>
  /** Runs after COMMIT (e.g. publish what changed); errors are logged, never retried. */
  afterCommit?(result: LandingResult): Promise<void> | void
}

export interface LandingContext {
  readonly pool: Pool
  readonly group: string
  readonly topic: string
  readonly dlqTopic: string
  readonly producer: BytesProducer
  readonly sendTimeoutMs: number
  readonly hooks: LanderHooks
  readonly clock: () => number
  readonly strategy: CopyStrategy
  /** The test hook (SRETL_TEST_FAULT_AT); a no-op unless a test sets it. */
  readonly fault?: ReachFault
}

const STAGE = 'sretl_lander_stage'
const COLUMNS = COPY_COLUMNS.join(', ')
const COPY_SQL = `COPY ${STAGE} (${COLUMNS}) FROM STDIN`
const DIRECT_COPY_SQL = `COPY sales_raw (${COLUMNS}) FROM STDIN`
const LEDGER_COPY_SQL = 'COPY event_ids (event_id, event_time) FROM STDIN'
const UNIQUE_VIOLATION = '23505'
// only rows whose event_id the ledger did not have land; sales_raw's own key still guards the
// rows of ids pruned from the ledger (older than EVENT_ID_RETENTION_DAYS)
const INSERT_SQL = `WITH fresh AS (
    INSERT INTO event_ids (event_id, event_time)
    SELECT event_id, event_time FROM ${STAGE} ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id)
  INSERT INTO sales_raw (${COLUMNS})
  SELECT ${COLUMNS} FROM ${STAGE} WHERE event_id IN (SELECT event_id FROM fresh) ORDER BY event_id
  ON CONFLICT (event_id, event_time) DO NOTHING
  RETURNING event_id::text`
// staged rows whose id landed before with another event_time (the ids new in this statement
// carry their own event_time in the ledger, so they never count)
const RETIMED_SQL = `SELECT count(*)::int AS n FROM ${STAGE} s JOIN event_ids e USING (event_id)
  WHERE e.event_time <> s.event_time`

/** Clients whose session already has the staging table. */
const staged = new WeakSet<PoolClient>()

export function describeBatch(records: readonly LanderRecord[]): BatchInfo {
  const ranges = new Map<number, { first: bigint; last: bigint; produced: number }>()
  for (const r of records) {
    const range = ranges.get(r.source.partition)
    const offset = r.source.offset
    if (!range) ranges.set(r.source.partition, { first: offset, last: offset, produced: r.produceTimeMs })
    else {
      if (offset < range.first) range.first = offset
      if (offset > range.last) range.last = offset
      if (r.produceTimeMs > range.produced) range.produced = r.produceTimeMs
    }
  }
  return {
    records: records.length,
    partitions: [...ranges]
      .sort(([a], [b]) => a - b)
      .map(([partition, { first, last, produced }]) => ({
        partition,
        firstOffset: first,
        nextOffset: last + 1n,
        lastProduceTimeMs: produced,
      })),
  }
}

export async function landBatch(ctx: LandingContext, batch: Batch): Promise<LandingResult> {
  const info = describeBatch(batch.records)
  const rows: ValidRecord[] = []
  const rejected: DeadLetter[] = []
  // the first occurrence of an event_id in a batch wins (ADR 0015): one row per key offered
  const seen = new Map<string, number>()
  let duplicates = 0
  const stats = { retimed: 0 }
  for (const record of batch.records) {
    if (isValid(record)) {
      const first = seen.get(record.key)
      if (first !== undefined) {
        duplicates += 1
        if (first !== record.eventTimeMs) stats.retimed += 1
      } else {
        seen.set(record.key, record.eventTimeMs)
        rows.push(record)
      }
    } else if (record.rejection) {
      rejected.push({ record, rejection: record.rejection })
    }
  }

  const started = ctx.clock()
  const client = await ctx.pool.connect()
  let broken = false
  try {
    if (!staged.has(client)) {
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (LIKE sales_raw INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
      )
      staged.add(client)
    }
    await client.query('BEGIN')
    const dbRejected: DeadLetter[] = []
    const newKeys = await landRows(ctx.strategy, client, rows, dbRejected, stats)
    const refused = new Set(dbRejected.map((d) => d.record))
    const accepted = refused.size === 0 ? rows : rows.filter((r) => !refused.has(r))
    // a valid record is itself a NewRow: no copy per row
    const newRows: readonly NewRow[] =
      newKeys === 'all' ? accepted : accepted.filter((r) => newKeys.has(r.key))
    duplicates += accepted.length - newRows.length
    ctx.fault?.('after-copy-before-commit')
    if (ctx.hooks.inTransaction) await ctx.hooks.inTransaction(client, newRows, info)
    const deadLetters = [...rejected, ...dbRejected]
    if (deadLetters.length > 0) {
      // acknowledged before the offsets commit: a crash in between re-sends, it never loses one
      const messages: BytesMessage[] = deadLetters.map((d) =>
        deadLetterMessage(ctx.dlqTopic, ctx.topic, d.record, d.rejection),
      )
      await sendWithTimeout(ctx.producer, messages, ctx.sendTimeoutMs)
      ctx.fault?.('after-dlq-before-commit')
    }
    await storeOffsets(
      client,
      ctx.group,
      ctx.topic,
      new Map(info.partitions.map((p) => [p.partition, p.nextOffset])),
    )
    await client.query('COMMIT')
    const committedAt = ctx.clock()
    return {
      batch: info,
      newRows,
      duplicates,
      retimed: stats.retimed,
      deadLetters,
      transactionMs: committedAt - started,
      committedAt,
    }
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch {
      broken = true
    }
    if (classifyPgError(err) === 'retryable' && sqlState(err) === undefined) broken = true
    throw err
  } finally {
    client.release(broken)
  }
}

/**
 * Whether a batch first tries to COPY straight into sales_raw (ADR 0016). A direct COPY is as
 * fast as `psql \copy`, and when it succeeds every row was new; when one row's key is already
 * there the COPY fails (23505) and the batch takes the staging path. After such a conflict the
 * next batches go straight to staging (4, doubling to 256), since duplicates come in runs
 * (a replay, a client re-sending a range, the catch-up after a crash).
 */
export class CopyStrategy {
  readonly #enabled: boolean
  #skip = 0
  #backoff = 4

  constructor(enabled = true) {
    this.#enabled = enabled
  }

  direct(): boolean {
    if (!this.#enabled) return false
    if (this.#skip > 0) {
      this.#skip -= 1
      return false
    }
    return true
  }

  conflicted(): void {
    this.#skip = this.#backoff
    this.#backoff = Math.min(256, this.#backoff * 2)
  }

  succeeded(): void {
    this.#backoff = 4
  }
}

async function restart(client: PoolClient): Promise<void> {
  await client.query('ROLLBACK')
  await client.query('BEGIN')
}

interface LandStats {
  retimed: number
}

/** Lands `rows` in the open transaction: direct COPY, else staging, else isolating refused rows. */
async function landRows(
  strategy: CopyStrategy,
  client: PoolClient,
  rows: readonly ValidRecord[],
  rejected: DeadLetter[],
  stats: LandStats,
): Promise<Set<string> | 'all'> {
  if (rows.length > 0 && strategy.direct()) {
    try {
      // the ids first: a COPY into the ledger fails (23505) as soon as one id landed before
      await copyFrom(
        client,
        LEDGER_COPY_SQL,
        rows.map((r) => `${r.event.event_id}\t${r.event.event_time}\n`),
      )
      await copyFrom(
        client,
        DIRECT_COPY_SQL,
        rows.map((r) => r.line),
      )
      strategy.succeeded()
      return 'all'
    } catch (err) {
      const conflict = sqlState(err) === UNIQUE_VIOLATION
      if (!conflict && classifyPgError(err) !== 'row') throw err
      await restart(client)
      if (conflict) strategy.conflicted()
      else return insertIsolating(client, rows, rejected, stats)
    }
  }
  try {
    return await insertRows(client, rows, stats)
  } catch (err) {
    if (classifyPgError(err) !== 'row') throw err
    // a row is refused: start again, isolating the refused rows under savepoints
    await restart(client)
    stats.retimed = 0
    return insertIsolating(client, rows, rejected, stats)
  }
}

/** COPY + INSERT of `rows`; the keys that were new, or 'all' when every row was. */
async function insertRows(
  client: PoolClient,
  rows: readonly ValidRecord[],
  stats: LandStats,
  clearAfter = false,
): Promise<Set<string> | 'all'> {
  if (rows.length === 0) return 'all'
  await copyFrom(
    client,
    COPY_SQL,
    rows.map((r) => r.line),
  )
  const result = await client.query<string[]>({ text: INSERT_SQL, rowMode: 'array' })
  if (result.rows.length < rows.length) {
    const retimed = await client.query<{ n: number }>(RETIMED_SQL)
    stats.retimed += retimed.rows[0]?.n ?? 0
  }
  // the staging table empties itself at COMMIT; within one transaction of several parts, by hand
  if (clearAfter) await client.query(`TRUNCATE ${STAGE}`)
  if (result.rows.length === rows.length) return 'all'
  return new Set(result.rows.map((r) => r[0] ?? ''))
}

/** Lands what it can of `rows`, splitting in halves under savepoints; refused rows go to `rejected`. */
async function insertIsolating(
  client: PoolClient,
  rows: readonly ValidRecord[],
  rejected: DeadLetter[],
  stats: LandStats,
): Promise<Set<string>> {
  const keys = new Set<string>()
  const attempt = async (part: readonly ValidRecord[]): Promise<void> => {
    if (part.length === 0) return
    await client.query('SAVEPOINT sretl_part')
    try {
      const inserted = await insertRows(client, part, stats, true)
      await client.query('RELEASE SAVEPOINT sretl_part')
      for (const r of part) if (inserted === 'all' || inserted.has(r.key)) keys.add(r.key)
    } catch (err) {
      if (classifyPgError(err) !== 'row') throw err
      await client.query('ROLLBACK TO SAVEPOINT sretl_part')
      await client.query('RELEASE SAVEPOINT sretl_part')
      const [only] = part
      if (part.length === 1 && only) {
        rejected.push({
          record: only,
          rejection: { code: 'EVENT_DB_REJECTED', message: describeRowError(err) },
        })
        return
      }
      const middle = Math.ceil(part.length / 2)
      await attempt(part.slice(0, middle))
      await attempt(part.slice(middle))
    }
  }
  await attempt(rows)
  return keys
}

function describeRowError(err: unknown): string {
  const e = err as { constraint?: string; column?: string }
  const where = e.constraint ? ` (constraint ${e.constraint})` : e.column ? ` (column ${e.column})` : ''
  return truncate(
    `PostgreSQL refused the row: ${describePgError(err)}${where} [SQLSTATE ${sqlState(err) ?? '?'}]`,
  )
}
