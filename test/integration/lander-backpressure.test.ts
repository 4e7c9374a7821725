import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spreadLine } from '../support/events.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import {
  assertLandedOnce,
  metricValue,
  produce,
  saleEvent,
  startChildLander,
  waitCaughtUp,
  type OutgoingEvent,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

const events = (from: number, count: number): OutgoingEvent[] =>
  Array.from({ length: count }, (_, i) => saleEvent(spreadLine(from + i, 29, 'RC-bp')))

test('lander should keep its memory bounded while PostgreSQL is blocked by a lock on sales_raw, and catch up afterwards', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: 'backpressure-lander',
    LANDER_BATCH_MAX_ROWS: '500',
    LANDER_FETCH_MAX_RECORDS: '1000',
    LANDER_FETCH_MAX_BYTES: '262144',
    LANDER_LAG_INTERVAL_MS: '300',
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
  })
  const warmup = events(0, 2000)
  await produce(kafka, warmup)
  const lander = await startChildLander(env)
  await waitCaughtUp(kafka, pool, 'backpressure-lander')

  const backlog = events(2000, 40_000)
  // "PostgreSQL is slow": a transaction holds an exclusive lock on sales_raw
  const blocker = await db.pool().connect()
  await blocker.query('BEGIN')
  await blocker.query('LOCK TABLE sales_raw IN ACCESS EXCLUSIVE MODE')
  let maxBuffered = 0
  let limit = 0
  let maxRss = 0
  try {
    await produce(kafka, backlog)
    // the records wait in Kafka, not in the lander: lag grows to nearly the whole backlog
    await waitFor(
      async () => {
        const status = await lander.status()
        maxBuffered = Math.max(maxBuffered, status.details.buffered.records)
        limit = status.details.buffered.limitRecords
        maxRss = Math.max(maxRss, metricValue(await lander.metrics(), 'process_resident_memory_bytes'))
        const lag = status.details.partitions.reduce((sum, p) => sum + (p.lagMessages ?? 0), 0)
        return lag >= backlog.length
      },
      { timeoutMs: 60_000, intervalMs: 100, message: 'the backlog did not show as lag' },
    )
    // sample a little longer while blocked: the buffer stays where it is
    for (let i = 0; i < 10; i += 1) {
      const status = await lander.status()
      maxBuffered = Math.max(maxBuffered, status.details.buffered.records)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } finally {
    await blocker.query('COMMIT')
    blocker.release()
  }
  // one fetch response (≤ 256 KiB, ~600 of these records) may come on top of the configured bound
  assert.ok(maxBuffered <= limit + 700, `held ${maxBuffered} records; bound ${limit} + one fetch`)
  assert.ok(maxBuffered > 0, 'records were held while blocked')
  assert.ok(maxRss < 512 * 1024 * 1024, `resident memory ${Math.round(maxRss / 1e6)} MB`)

  await waitCaughtUp(kafka, pool, 'backpressure-lander')
  await assertLandedOnce(pool, [...warmup, ...backlog])
  const status = await lander.status()
  assert.equal(status.state, 'RUNNING')
  assert.equal(await lander.stop(), 0)
})
