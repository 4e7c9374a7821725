import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { seedReference, startAggregatingLander, waitAllPublished } from '../support/aggregates.ts'
import { makeSaleLine } from '../support/events.ts'
import { pipelineEnv, runCli } from '../support/harness.ts'
import { landSales, metricValue } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })

const at = (i: number) => new Date(Date.parse('2026-10-21T08:00:00.000Z') + i * 61_000).toISOString()
const line = (i: number, prefix: string): SaleLine =>
  makeSaleLine({
    store_id: i % 2 === 0 ? 'S0001' : 'S0008',
    currency: i % 2 === 0 ? 'EUR' : 'INR',
    sku: `SKU-0000${(i % 5) + 1}`,
    receipt_id: `${prefix}-${i}`,
    event_time: at(i),
  })
/** The same event as a till re-sends it after correcting its clock: same event_id, other time. */
const retimed = (e: SaleLine, minutes: number): SaleLine => ({
  ...e,
  event_time: new Date(Date.parse(e.event_time) + minutes * 60_000).toISOString(),
})

for (const direct of [true, false]) {
  test(`lander should land an event_id once when it is re-sent with another event_time, count it, and keep the aggregates exact (${direct ? 'direct COPY first' : 'always staged'})`, async () => {
    const group = `event-ids-${String(direct)}`
    const { env, kafka, pool } = await pipelineEnv(db, {
      LANDER_GROUP_ID: group,
      AGG_IDLE_MS: '1000',
      LANDER_DIRECT_COPY: String(direct),
    })
    const first: SaleLine[] = Array.from({ length: 40 }, (_, i) => line(i, `RC-ids-${String(direct)}`))
    const lander = startAggregatingLander(kafka, db.url, env)
    try {
      await landSales(kafka, pool, group, first)
      // 20 re-sent an hour and a half later (other minute and hour windows), 5 re-sent unchanged,
      // 10 new events, 3 of which come twice in the same send with different times
      const fresh = Array.from({ length: 10 }, (_, i) => line(100 + i, `RC-ids-new-${String(direct)}`))
      const second = [
        ...first.slice(0, 20).map((e) => retimed(e, 90)),
        ...first.slice(20, 25),
        ...fresh,
        ...fresh.slice(0, 3).map((e) => retimed(e, -7)),
      ]
      await landSales(kafka, pool, group, second)

      const expected = [...first, ...fresh]
      const ids = [...first, ...second].map((e) => e.event_id)
      const { rows } = await pool.query<{ id: string; t: Date; n: number }>(
        'SELECT event_id::text AS id, min(event_time) AS t, count(*)::int AS n FROM sales_raw WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
        [ids],
      )
      assert.equal(rows.length, expected.length, 'one event_id per distinct event')
      assert.ok(
        rows.every((r) => r.n === 1),
        'no event_id landed twice',
      )
      const landedAt = new Map(rows.map((r) => [r.id, r.t.toISOString()]))
      for (const e of expected) assert.equal(landedAt.get(e.event_id), e.event_time, 'the first time landed')
      const ledger = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM event_ids WHERE event_id = ANY($1::uuid[])',
        [ids],
      )
      assert.equal(ledger.rows[0]?.n, expected.length, 'the ledger holds every landed id once')

      const text = await lander.landing.registry.metrics()
      assert.equal(metricValue(text, 'sretl_lander_rows_total'), expected.length)
      assert.equal(metricValue(text, 'sretl_lander_duplicates_total'), 28)
      assert.equal(metricValue(text, 'sretl_lander_retimed_duplicates_total'), 23)

      await waitAllPublished(lander)
      const verify = await runCli(['verify'], env)
      assert.equal(verify.code, 0, verify.stdout + verify.stderr)
      assert.match(verify.stdout, /All aggregates match their oracle/)
    } finally {
      await lander.stop()
    }
  })
}

test('sretl maintain should prune event_ids older than EVENT_ID_RETENTION_DAYS and keep the newer ones', async () => {
  const { env } = await pipelineEnv(db, { EVENT_ID_RETENTION_DAYS: '30' })
  const owner = db.pool('sretl_owner')
  await owner.query('TRUNCATE event_ids')
  await owner.query(
    `INSERT INTO event_ids (event_id, event_time, landed_at)
     SELECT gen_random_uuid(), now(), now() - make_interval(days => d, hours => 12)
       FROM generate_series(0, 59) AS d`,
  )
  const result = await runCli(['maintain', '--json'], env)
  assert.equal(result.code, 0, result.stdout + result.stderr)
  assert.equal((JSON.parse(result.stdout) as { prunedEventIds: number }).prunedEventIds, 30)
  const left = await owner.query<{ oldest: number }>(
    'SELECT max(extract(epoch FROM now() - landed_at) / 86400)::int AS oldest FROM event_ids',
  )
  assert.equal(left.rows[0]?.oldest, 30)
})
