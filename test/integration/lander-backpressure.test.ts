import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { encodeEvent, makeSaleLine } from '../support/events.ts'
import {
  configFor,
  createTestDatabase,
  createTopicsFor,
  testEnv,
  waitFor,
  type TestDatabase,
} from '../support/harness.ts'
import {
  killChildLanders,
  landedIds,
  metricValue,
  produce,
  startChildLander,
  waitCaughtUp,
  type OutgoingEvent,
} from '../support/lander.ts'

let db: TestDatabase
before(async () => {
  db = await createTestDatabase()
})
after(async () => {
  await killChildLanders()
  await db.drop()
})

const events = (from: number, count: number): OutgoingEvent[] =>
  Array.from({ length: count }, (_, i) => {
    const e = makeSaleLine({
      store_id: `S${String((from + i) % 29).padStart(3, '0')}`,
      receipt_id: `RC-bp-${from + i}`,
    })
    return { key: e.store_id, value: encodeEvent(e) }
  })

test('lander should keep its memory bounded while PostgreSQL is blocked by a lock on sales_raw, and catch up afterwards', async () => {
  const env = testEnv({
    databaseUrl: db.url,
    extra: {
      LANDER_GROUP_ID: 'backpressure-lander',
      LANDER_BATCH_MAX_ROWS: '500',
      LANDER_FETCH_MAX_RECORDS: '1000',
      LANDER_FETCH_MAX_BYTES: '262144',
      LANDER_LAG_INTERVAL_MS: '300',
      LANDER_MAINTENANCE_INTERVAL_MS: '0',
    },
  })
  const kafka = configFor(env).kafka
  await createTopicsFor(kafka)
  const pool = db.pool('sretl_reader')
  const warmup = events(0, 2000)
  await produce(kafka, warmup)
  const lander = await startChildLander(env)
  await waitCaughtUp(kafka, pool, 'backpressure-lander')

  // "PostgreSQL is slow": a transaction holds an exclusive lock on sales_raw
  const blocker = await db.pool().connect()
  await blocker.query('BEGIN')
  await blocker.query('LOCK TABLE sales_raw IN ACCESS EXCLUSIVE MODE')
  let maxBuffered = 0
  let limit = 0
  let maxRss = 0
  try {
    const backlog = events(2000, 40_000)
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
  const ids = await landedIds(pool)
  assert.equal(ids.length, 42_000)
  assert.equal(new Set(ids).size, 42_000)
  const status = await lander.status()
  assert.equal(status.state, 'RUNNING')
  lander.cli.child.kill('SIGTERM')
  assert.equal(await lander.cli.exited, 0)
})
