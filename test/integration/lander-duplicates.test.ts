import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { NewRow } from '../../src/lander/landing.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { spreadLine } from '../support/events.ts'
import {
  configFor,
  createTestDatabase,
  createTopicsFor,
  testEnv,
  type TestDatabase,
} from '../support/harness.ts'
import {
  countRows,
  landedIds,
  metricValue,
  produce,
  saleEvent,
  startInProcessLander,
  storedOffsets,
  waitCaughtUp,
} from '../support/lander.ts'

const databases: TestDatabase[] = []
after(() => Promise.all(databases.map((d) => d.drop())))

for (const direct of [true, false]) {
  test(`lander should land each event once when every event is sent twice, and hand exactly the new rows to the transaction hook (${direct ? 'direct COPY first' : 'always staged'})`, async () => {
    const db = await createTestDatabase()
    databases.push(db)
    const kafka = configFor(testEnv()).kafka
    await createTopicsFor(kafka)
    const events: SaleLine[] = Array.from({ length: 3000 }, (_, i) => spreadLine(i, 40, 'RC-dup'))
    const outgoing = events.map(saleEvent)
    // each event twice: once in a first wave, once again later (a client re-sending everything)
    await produce(kafka, outgoing)
    await produce(kafka, outgoing)

    const hooked: NewRow[] = []
    let hookCalls = 0
    const running = startInProcessLander(kafka, db.url, {
      env: {
        LANDER_BATCH_MAX_ROWS: '700',
        LANDER_GROUP_ID: 'dup-lander',
        LANDER_DIRECT_COPY: String(direct),
      },
      hooks: {
        inTransaction(client, newRows) {
          hookCalls += 1
          hooked.push(...newRows)
          // the hook shares the landing transaction: it sees the rows it is told about
          return client
            .query<{ n: number }>(
              'SELECT count(*)::int AS n FROM sales_raw WHERE event_id = ANY($1::uuid[])',
              [newRows.map((r) => r.event.event_id)],
            )
            .then(({ rows }) => assert.equal(rows[0]?.n, newRows.length))
        },
      },
    })
    try {
      const pool = db.pool('sretl_reader')
      await waitCaughtUp(kafka, pool, 'dup-lander')
      assert.equal(await countRows(pool), events.length, 'one row per distinct event')
      const ids = await landedIds(pool)
      assert.deepEqual(new Set(ids), new Set(events.map((e) => e.event_id)))
      assert.equal(hooked.length, events.length, 'the hook saw each new row exactly once')
      assert.deepEqual(new Set(hooked.map((r) => r.event.event_id)), new Set(events.map((e) => e.event_id)))
      assert.ok(hookCalls >= 2, 'the hook ran per batch')

      const text = await running.registry.metrics()
      assert.equal(metricValue(text, 'sretl_lander_rows_total'), events.length)
      assert.equal(metricValue(text, 'sretl_lander_duplicates_total'), events.length)
      assert.equal(metricValue(text, 'sretl_lander_dlq_total'), 0)

      const stored = await storedOffsets(pool, 'dup-lander', topicNames(kafka).salesEvents)
      const total = [...stored.values()].reduce((a, b) => a + b, 0n)
      assert.equal(total, BigInt(outgoing.length * 2), 'the stored offsets cover every record')
      const status = running.lander.status()
      assert.equal(status.state, 'RUNNING')
      assert.equal(status.details.partitions.length, 6)
      assert.ok(status.details.partitions.every((p) => p.state === 'RUNNING'))
    } finally {
      await running.stop()
    }
  })
}
