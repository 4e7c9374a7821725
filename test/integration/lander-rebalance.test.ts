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
  countRows,
  killChildLanders,
  landedIds,
  produceContinuously,
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

const event = (i: number): OutgoingEvent => {
  const e = makeSaleLine({ store_id: `S${String(i % 31).padStart(3, '0')}`, receipt_id: `RC-reb-${i}` })
  return { key: e.store_id, value: encodeEvent(e) }
}

test('lander should land every event exactly once while a second lander joins the group and leaves it mid-stream', async () => {
  const env = testEnv({
    databaseUrl: db.url,
    extra: {
      LANDER_GROUP_ID: 'rebalance-lander',
      LANDER_SESSION_TIMEOUT_MS: '6000',
      LANDER_BATCH_MAX_ROWS: '200',
      LANDER_BATCH_MAX_WAIT_MS: '20',
      LANDER_MAINTENANCE_INTERVAL_MS: '0',
    },
  })
  const kafka = configFor(env).kafka
  await createTopicsFor(kafka)
  const pool = db.pool('sretl_reader')
  const producer = produceContinuously(kafka, event, { perTick: 50, everyMs: 50 })
  const first = await startChildLander(env)
  await waitFor(async () => (await countRows(pool)) > 0, {
    timeoutMs: 60_000,
    message: 'first lander landed nothing',
  })

  const second = await startChildLander(env)
  // the group rebalances: each lander ends up with some of the six partitions and lands from them
  const shared = await waitFor(
    async () => {
      const [a, b] = await Promise.all([first.status(), second.status()])
      const split =
        a.details.partitions.length > 0 &&
        b.details.partitions.length > 0 &&
        a.details.partitions.length + b.details.partitions.length === 6
      return split && b.details.totals.rows > 0 ? { a, b } : undefined
    },
    { timeoutMs: 60_000, message: 'the second lander never got partitions and landed from them' },
  )
  assert.ok(shared.b.details.totals.rows > 0)

  second.cli.child.kill('SIGTERM')
  assert.equal(await second.cli.exited, 0, 'the second lander leaves cleanly')
  await waitFor(async () => (await first.status()).details.partitions.length === 6, {
    timeoutMs: 60_000,
    message: 'the first lander did not take all partitions back',
  })
  const produced = await producer.stop()
  try {
    await waitCaughtUp(kafka, pool, 'rebalance-lander')
  } catch (err) {
    process.stderr.write(
      `${JSON.stringify(await first.status(), null, 1)}\n${first.cli.output().slice(-8000)}\n`,
    )
    throw err
  }

  const ids = await landedIds(pool)
  assert.equal(ids.length, produced.length, 'as many rows as events produced')
  assert.deepEqual(
    new Set(ids),
    new Set(produced.map((e) => (JSON.parse(e.value.toString()) as { event_id: string }).event_id)),
  )
  const status = await first.status()
  assert.equal(status.state, 'RUNNING')
  assert.ok(status.details.partitions.every((p) => p.lagMessages === 0 || p.lagMessages === null))
  first.cli.child.kill('SIGTERM')
  assert.equal(await first.cli.exited, 0)
})
