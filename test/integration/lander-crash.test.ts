import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { topicNames } from '../../src/platform/topics.ts'
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
  endOffsets,
  landedIds,
  killChildLanders,
  produceContinuously,
  startChildLander,
  storedOffsets,
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
  const e = makeSaleLine({ store_id: `S${String(i % 23).padStart(3, '0')}`, receipt_id: `RC-crash-${i}` })
  return { key: e.store_id, value: encodeEvent(e) }
}

test('lander should land every event exactly once after being killed with SIGKILL five times mid-stream', async () => {
  const env = testEnv({
    databaseUrl: db.url,
    extra: {
      LANDER_GROUP_ID: 'crash-lander',
      // static membership: each restart takes the partitions back without waiting for a rebalance
      LANDER_GROUP_INSTANCE_ID: 'crash-lander-1',
      LANDER_SESSION_TIMEOUT_MS: '6000',
      LANDER_BATCH_MAX_ROWS: '150',
      LANDER_BATCH_MAX_WAIT_MS: '20',
      LANDER_MAINTENANCE_INTERVAL_MS: '0',
    },
  })
  const kafka = configFor(env).kafka
  await createTopicsFor(kafka)
  const pool = db.pool('sretl_reader')
  const producer = produceContinuously(kafka, event, { perTick: 60, everyMs: 50 })
  try {
    for (let kill = 1; kill <= 5; kill += 1) {
      const lander = await startChildLander(env)
      const before = await countRows(pool)
      // let it land something, then kill it at a random moment of its work
      await waitFor(async () => (await countRows(pool)) > before, {
        timeoutMs: 60_000,
        message: `lander ${kill} landed nothing`,
      })
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)))
      lander.cli.child.kill('SIGKILL')
      await lander.cli.exited
    }
    const last = await startChildLander(env)
    const produced = await producer.stop()
    try {
      await waitCaughtUp(kafka, pool, 'crash-lander')
      const ids = await landedIds(pool)
      assert.equal(ids.length, produced.length, 'as many rows as events produced')
      assert.deepEqual(
        new Set(ids),
        new Set(produced.map((e) => (JSON.parse(e.value.toString()) as { event_id: string }).event_id)),
        'exactly the produced events',
      )
      const topic = topicNames(kafka).salesEvents
      const stored = await storedOffsets(pool, 'crash-lander', topic)
      const ends = await endOffsets(kafka, topic)
      assert.deepEqual(
        [...stored].sort(([a], [b]) => a - b),
        [...ends].sort(([a], [b]) => a - b),
        'stored offsets equal the partitions’ end offsets',
      )
      const status = await last.status()
      assert.equal(status.state, 'RUNNING')
    } finally {
      last.cli.child.kill('SIGTERM')
      assert.equal(await last.cli.exited, 0, 'a SIGTERM stops the lander cleanly')
    }
  } finally {
    await producer.stop().catch(() => undefined)
  }
})
