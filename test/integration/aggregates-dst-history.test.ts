import assert from 'node:assert/strict'
import { test } from 'node:test'
import { referenceProducts, referenceStores, type Store } from '../../src/domain/reference-data.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { simulatorSection } from '../../src/simulator/config.ts'
import { historyMessages, planHistory } from '../../src/simulator/history.ts'
import { ReceiptGenerator } from '../../src/simulator/receipts.ts'
import {
  assertAggregatesMatchOracle,
  seedReference,
  startAggregatingLander,
  waitAllPublished,
} from '../support/aggregates.ts'
import { assertTablesEqualExpected, referenceZones } from '../support/expected-sums.ts'
import { pipelineEnv } from '../support/harness.ts'
import { landSales } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

// Four stores in each zone that changes its clocks in 2026 outside Europe, four in Kolkata
// (+05:30), and four Kathmandu stores (+05:45, not in the chain: added to this database only),
// all open day and night so the skipped and repeated local hours have sales.
const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Australia/Sydney',
  'Asia/Kolkata',
]
const chain = ZONES.flatMap((z) =>
  referenceStores()
    .filter((s) => s.time_zone === z)
    .slice(0, 4),
)
const kathmandu: Store[] = chain
  .filter((s) => s.time_zone === 'Asia/Kolkata')
  .map((s, i) => ({
    ...s,
    store_id: `S99${String(i + 1).padStart(2, '0')}`,
    country: 'NP',
    time_zone: 'Asia/Kathmandu',
  }))
const STORES = [...chain, ...kathmandu].map((s) => ({ ...s, opens_hour: 0, closes_hour: 24 }))
const zoneOf = referenceZones(Object.fromEntries(kathmandu.map((s) => [s.store_id, s.time_zone])))

/** The 2026 changes: [first simulated instant, hours, events]. */
const SPANS = [
  // US to summer time on 8 March: 2:00 → 3:00 in New York 07:00Z, Chicago 08:00Z, Los Angeles 10:00Z
  ['2026-03-08T05:00:00.000Z', 7, 2000],
  // Sydney to standard time on 5 April: 3:00 → 2:00 at 16:00Z on the 4th
  ['2026-04-04T14:00:00.000Z', 4, 1500],
  // Sydney to summer time on 4 October: 2:00 → 3:00 at 16:00Z on the 3rd
  ['2026-10-03T14:00:00.000Z', 4, 1500],
  // US to standard time on 1 November: 2:00 → 1:00 in New York 06:00Z, Chicago 07:00Z, Los Angeles 09:00Z
  ['2026-11-01T04:00:00.000Z', 7, 2000],
] as const

function simulatedHistory(): SaleLine[] {
  return SPANS.flatMap(([start, hours, events]) => {
    const seed = `dst-history-${start}`
    const generator = new ReceiptGenerator({
      seed,
      stores: STORES,
      products: referenceProducts(),
      settings: loadConfig({}, simulatorSection).receipts,
    })
    const plan = planHistory(generator.weights, {
      seed,
      events,
      startMs: Date.parse(start),
      nominalMs: hours * 3_600_000,
    })
    return [...historyMessages(plan, generator)].map((m) => JSON.parse(m.value.toString()) as SaleLine)
  })
}

const db = useTestDatabase({
  setUp: async (created) => {
    await seedReference(created.pool())
    for (const s of kathmandu) {
      await created
        .pool('sretl_owner')
        .query(
          'INSERT INTO stores (store_id, name, country, time_zone, currency, size_sqm) VALUES ($1, $2, $3, $4, $5, $6)',
          [s.store_id, `Kathmandu ${s.store_id}`, s.country, s.time_zone, s.currency, s.size_sqm],
        )
    }
  },
})

test('aggregates of a simulated history across the 2026 US and Australian clock changes, with Kolkata and Kathmandu stores, should equal the sums of the events and their oracle, each local hour keyed where its clock says', async () => {
  const events = simulatedHistory()
  const countIn = (zone: string): number => events.filter((e) => zoneOf(e.store_id) === zone).length
  assert.ok(countIn('Asia/Kolkata') >= 1000, `many Kolkata events (${countIn('Asia/Kolkata')})`)
  assert.ok(countIn('Asia/Kathmandu') >= 1000, `many Kathmandu events (${countIn('Asia/Kathmandu')})`)

  const { env, kafka, pool } = await pipelineEnv(db, { LANDER_GROUP_ID: 'agg-dst', AGG_IDLE_MS: '1000' })
  const lander = startAggregatingLander(kafka, db.url, env)
  try {
    await landSales(kafka, pool, 'agg-dst', events)
    await waitAllPublished(lander, {
      also: async () =>
        (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_hourly WHERE NOT final'))
          .rows[0]?.n === 0,
      intervalMs: 300,
    })
    await assertAggregatesMatchOracle(pool)
    await assertTablesEqualExpected(pool, events, zoneOf)

    // the rules themselves, written out by hand (not taken from the tz database the code uses)
    const hours = async (zone: string, localDate: string): Promise<string[]> =>
      (
        await pool.query<{ h: string }>(
          `SELECT DISTINCT local_hour || ' ' || utc_offset_minutes AS h FROM sales_hourly
           WHERE time_zone = $1 AND local_date = $2`,
          [zone, localDate],
        )
      ).rows
        .map((r) => r.h)
        .sort()
    const spring = {
      'America/New_York': [-300, -240],
      'America/Chicago': [-360, -300],
      'America/Los_Angeles': [-480, -420],
    }
    for (const [zone, [standard, summer]] of Object.entries(spring)) {
      const march = await hours(zone, '2026-03-08')
      assert.ok(
        march.includes(`1 ${standard}`) && march.includes(`3 ${summer}`),
        `${zone} 8 March: ${march.join(', ')}`,
      )
      assert.ok(!march.some((h) => h.startsWith('2 ')), `${zone} has no 2:00 on 8 March`)
      const november = await hours(zone, '2026-11-01')
      assert.ok(
        november.includes(`1 ${summer}`) && november.includes(`1 ${standard}`),
        `${zone} has 1:00 twice on 1 November: ${november.join(', ')}`,
      )
    }
    const april = await hours('Australia/Sydney', '2026-04-05')
    assert.ok(
      april.includes('2 660') && april.includes('2 600'),
      `Sydney has 2:00 twice on 5 April: ${april.join(', ')}`,
    )
    const october = await hours('Australia/Sydney', '2026-10-04')
    assert.ok(
      october.includes('1 600') && october.includes('3 660'),
      `Sydney 4 October: ${october.join(', ')}`,
    )
    assert.ok(!october.some((h) => h.startsWith('2 ')), 'Sydney has no 2:00 on 4 October')

    // half- and quarter-hour zones: each local hour starts at :30 (Kolkata) or :15 (Kathmandu)
    // past a UTC hour, always at the same offset
    const offsets = await pool.query<{ zone: string; minute: number; offset: number; rows: number }>(
      `SELECT time_zone AS zone, extract(minute FROM window_start AT TIME ZONE 'UTC')::int AS minute,
         utc_offset_minutes AS offset, count(*)::int AS rows
       FROM sales_hourly WHERE time_zone IN ('Asia/Kolkata', 'Asia/Kathmandu') GROUP BY 1, 2, 3 ORDER BY 1`,
    )
    assert.deepEqual(
      offsets.rows.map((r) => [r.zone, r.minute, r.offset]),
      [
        ['Asia/Kathmandu', 15, 345],
        ['Asia/Kolkata', 30, 330],
      ],
    )
    assert.ok(
      offsets.rows.every((r) => r.rows >= 60),
      'many local hours in each',
    )
  } finally {
    await lander.stop()
  }
})
