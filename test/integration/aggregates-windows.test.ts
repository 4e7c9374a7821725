import assert from 'node:assert/strict'
import { test } from 'node:test'
import { verifyAggregates } from '../../src/aggregates/verify.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import {
  latestValues,
  seedReference,
  startAggregatingLander,
  waitAllPublished,
} from '../support/aggregates.ts'
import { makeSaleLine } from '../support/events.ts'
import { pipelineEnv } from '../support/harness.ts'
import { landSales } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'
import { topicNames } from '../../src/platform/topics.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })

const BERLIN = 'S0001'
const KOLKATA = 'S0008'

const line = (store: string, time: string, overrides: Partial<SaleLine> = {}): SaleLine =>
  makeSaleLine({
    store_id: store,
    event_time: time,
    currency: store === KOLKATA ? 'INR' : 'EUR',
    ...overrides,
  })

test('aggregates should put boundary events in the window that starts there, start Kolkata hours at :30 UTC, give the 25-hour day 25 hours, and match the oracle', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, { LANDER_GROUP_ID: 'agg-windows', AGG_IDLE_MS: '1000' })
  const events: SaleLine[] = [
    // minute edges (Berlin)
    line(BERLIN, '2026-10-20T10:00:00.000Z', { receipt_id: 'E1' }),
    line(BERLIN, '2026-10-20T10:00:59.999Z', { receipt_id: 'E1', line_no: 2 }),
    line(BERLIN, '2026-10-20T09:59:59.999Z', { receipt_id: 'E2' }),
    // Kolkata: local hours start at :30 UTC
    line(KOLKATA, '2026-10-20T10:30:00.000Z', { receipt_id: 'K1' }),
    line(KOLKATA, '2026-10-20T10:29:59.999Z', { receipt_id: 'K2' }),
    // a return and a void
    line(BERLIN, '2026-10-20T10:00:30.000Z', {
      receipt_id: 'E3',
      event_type: 'RETURN',
      quantity: -1,
      unit_price_minor: 500,
      discount_minor: 0,
      tax_minor: -100,
      net_amount_minor: -600,
      original_receipt_id: 'E1',
    }),
  ]
  // Berlin's 25-hour day: 2026-10-25 local runs from 2026-10-24T22:00Z to 2026-10-25T23:00Z
  for (let h = 0; h < 25; h += 1) {
    const at = Date.parse('2026-10-24T22:00:00.000Z') + h * 3_600_000 + 1_800_000
    events.push(
      line(BERLIN, new Date(at).toISOString(), { receipt_id: `D${h}`, sku: `SKU-0000${(h % 3) + 1}` }),
    )
  }
  const lander = startAggregatingLander(kafka, db.url, env)
  try {
    await landSales(kafka, pool, 'agg-windows', events)
    // the idle watermark moves to the wall clock: everything becomes final and is published
    await waitAllPublished(lander, {
      also: async () =>
        (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_hourly WHERE NOT final'))
          .rows[0]?.n === 0,
      intervalMs: 300,
      message: 'aggregates were not all published',
    })
    const results = await verifyAggregates(pool, { limit: 20 })
    for (const r of results) {
      assert.equal(
        r.differenceCount,
        0,
        `${r.aggregate} differs from its oracle: ${JSON.stringify(r.differences)}`,
      )
      assert.ok(r.tableRows > 0, `${r.aggregate} has rows`)
    }

    const minutes = await pool.query<{
      start: string
      lines: string
      receipts: string
      returns_minor: string
    }>(
      `SELECT to_char(window_start AT TIME ZONE 'UTC', 'HH24:MI') AS start, lines, receipts, returns_minor
       FROM sales_agg_minute WHERE store_id = $1 AND window_start < '2026-10-21' ORDER BY window_start`,
      [BERLIN],
    )
    assert.deepEqual(
      minutes.rows.map((r) => [r.start, Number(r.lines), Number(r.receipts), Number(r.returns_minor)]),
      [
        ['09:59', 1, 1, 0],
        ['10:00', 3, 2, 600],
      ],
    )
    const kolkata = await pool.query<{ start: string; local_hour: number }>(
      `SELECT to_char(window_start AT TIME ZONE 'UTC', 'HH24:MI') AS start, local_hour FROM sales_hourly
       WHERE store_id = $1 ORDER BY window_start`,
      [KOLKATA],
    )
    assert.deepEqual(
      kolkata.rows.map((r) => [r.start, r.local_hour]),
      [
        ['09:30', 15],
        ['10:30', 16],
      ],
    )
    const day = await pool.query<{ local_hour: number; offset: number }>(
      `SELECT local_hour, utc_offset_minutes AS offset FROM sales_hourly
       WHERE store_id = $1 AND local_date = '2026-10-25' ORDER BY window_start`,
      [BERLIN],
    )
    assert.equal(day.rows.length, 25, 'the 25-hour day has 25 hourly rows')
    assert.deepEqual(
      day.rows.slice(0, 4).map((r) => [r.local_hour, r.offset]),
      [
        [0, 120],
        [1, 120],
        [2, 120],
        [2, 60],
      ],
      'local hour 2 happens twice, first in summer time',
    )
    // the compacted topic's latest value per key equals the table row
    const topic = await latestValues(kafka, topicNames(kafka).aggregates.sales_hourly)
    const rows = await pool.query<{ store_id: string; start: string; net_minor: string; version: string }>(
      `SELECT store_id, to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS start, net_minor, version FROM sales_hourly`,
    )
    assert.equal(topic.size, rows.rows.length)
    for (const r of rows.rows) {
      const value = topic.get(`${r.store_id}|${r.store_id === KOLKATA ? 'INR' : 'EUR'}|${r.start}`)
      assert.ok(value, `topic has ${r.store_id} ${r.start}`)
      assert.equal(value.net_minor, Number(r.net_minor))
      assert.equal(value.version, Number(r.version))
      assert.equal(value.final, true)
    }
  } finally {
    await lander.stop()
  }
})
