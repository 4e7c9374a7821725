import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { seedReference, startAggregatingLander, waitAllPublished } from '../support/aggregates.ts'
import { makeSaleLine } from '../support/events.ts'
import { assertTablesEqualExpected, referenceZones } from '../support/expected-sums.ts'
import { pipelineEnv, runCli } from '../support/harness.ts'
import { landSales } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })

test('sretl verify should name a key that differs from the oracle and exit 1, and sretl rebuild-aggregates should make the tables equal the sums of the events sent again', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, { LANDER_GROUP_ID: 'agg-verify', AGG_IDLE_MS: '1000' })
  const events: SaleLine[] = Array.from({ length: 40 }, (_, i) =>
    makeSaleLine({
      store_id: i % 2 === 0 ? 'S0001' : 'S0008',
      currency: i % 2 === 0 ? 'EUR' : 'INR',
      sku: `SKU-0000${(i % 5) + 1}`,
      line_no: (i % 3) + 1,
      event_time: new Date(Date.parse('2026-10-21T08:00:00.000Z') + i * 97_000).toISOString(),
    }),
  )
  let lander = startAggregatingLander(kafka, db.url, env)
  try {
    await landSales(kafka, pool, 'agg-verify', events)
    await waitAllPublished(lander)
    await assertTablesEqualExpected(pool, events, referenceZones())
    const clean = await runCli(['verify'], env)
    assert.equal(clean.code, 0, clean.stdout + clean.stderr)
    assert.match(clean.stdout, /All aggregates match their oracle/)

    // damage two rows behind the lander's back
    const owner = db.pool('sretl_owner')
    await owner.query(
      "UPDATE sales_agg_minute SET lines = lines + 1 WHERE store_id = 'S0001' AND window_start = '2026-10-21T08:00:00Z'",
    )
    await owner.query("DELETE FROM top_skus WHERE scope = 'all' AND currency = 'INR' AND rank = 1")
    const damaged = await runCli(['verify'], env)
    assert.equal(damaged.code, 1)
    assert.match(
      damaged.stdout,
      /differs\s+store_id=S0001 currency=EUR window_start=2026-10-21T08:00:00\.000Z\s+lines: oracle 1, table 2/,
    )
    assert.match(
      damaged.stdout,
      /missing\s+scope=all store_id=\* currency=INR window_start=2026-10-21T08:00:00\.000Z rank=1/,
    )
    assert.match(damaged.stdout, /AGGREGATES_DIFFER/)
    const json = await runCli(['verify', '--json', '--aggregate', 'sales_minute'], env)
    const parsed = JSON.parse(json.stdout) as { aggregate: string; differenceCount: number }[]
    assert.deepEqual(
      parsed.map((r) => [r.aggregate, r.differenceCount]),
      [['sales_minute', 1]],
    )

    // rebuild while no lander runs; the next lander's cycles derive and publish the rest
    await lander.stop()
    const rebuilt = await runCli(['rebuild-aggregates'], env)
    assert.equal(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr)
    assert.match(rebuilt.stdout, /Rebuilt from sales_raw/)
    lander = startAggregatingLander(kafka, db.url, env)
    await waitAllPublished(lander)
    // the rebuild used the oracle, so the oracle cannot judge it: the sums of the events sent do
    await assertTablesEqualExpected(pool, events, referenceZones())
    const again = await runCli(['verify'], env)
    assert.equal(again.code, 0, again.stdout + again.stderr)
    const audit = await pool.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action = 'aggregates.rebuild'",
    )
    assert.equal(audit.rows.length, 1, 'the rebuild is audited')
  } finally {
    await lander.stop()
  }
})
