import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { TABLES } from '../../src/aggregates/in-stream/tables.ts'
import { verifyAggregates } from '../../src/aggregates/verify.ts'
import type { Pool } from '../../src/platform/postgres.ts'
import { topicNames } from '../../src/platform/topics.ts'
import {
  latestValues,
  seedReference,
  startAggregatingLander,
  waitAllPublished,
} from '../support/aggregates.ts'
import { makeSaleLine } from '../support/events.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import { landSales, metricValue } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })

const STORE = 'S0002' // Europe/Paris, EUR
const at = (iso: string, overrides: Partial<SaleLine> = {}): SaleLine =>
  makeSaleLine({ store_id: STORE, event_time: iso, currency: 'EUR', ...overrides })

interface Flags {
  final: boolean
  correction: boolean
  /** The row's value columns (not version, final, correction). */
  value: string
}

/** Every row of the four aggregate tables, by "table|key". */
async function flagsOfEveryRow(pool: Pool): Promise<Map<string, Flags>> {
  const out = new Map<string, Flags>()
  for (const t of Object.values(TABLES)) {
    const values = t.columns.filter((c) => !['version', 'final', 'correction'].includes(c))
    const rows = await pool.query<Flags & { k: string }>(
      `SELECT concat_ws('|', ${t.key
        .map(([c, type]) =>
          type === 'timestamptz'
            ? `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')`
            : `${c}::text`,
        )
        .join(', ')}) AS k, final, correction,
         json_build_array(${values.join(', ')})::text AS value FROM ${t.table}`,
    )
    for (const { k, ...flags } of rows.rows) out.set(`${t.table}|${k}`, flags)
  }
  return out
}

interface MinuteRow {
  final: boolean
  correction: boolean
  version: string
  lines: string
}

test('aggregates should flag a window final only after its grace period, flag exactly the rows a later event changed after they became final as corrections, and keep every topic’s latest value equal to its row', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: 'agg-topics',
    AGG_GRACE_PERIOD_MS: '60000',
    AGG_IDLE_MS: '600000',
  })
  const lander = startAggregatingLander(kafka, db.url, env)
  const send = async (events: SaleLine[]): Promise<void> => {
    await landSales(kafka, pool, 'agg-topics', events)
    await lander.aggregates.cycleNow()
  }
  const minute = async (start: string): Promise<MinuteRow | undefined> =>
    (
      await pool.query<MinuteRow>(
        'SELECT final, correction, version, lines FROM sales_agg_minute WHERE store_id = $1 AND window_start = $2',
        [STORE, start],
      )
    ).rows[0]
  try {
    // a window [12:00, 12:01) with a grace period of 60 s is final once the watermark reaches 12:02
    await send([at('2026-10-20T12:00:10.000Z', { sku: 'SKU-00001' }), at('2026-10-20T12:01:30.000Z')])
    assert.equal((await minute('2026-10-20T12:00:00Z'))?.final, false, 'not final within the grace period')
    await send([at('2026-10-20T12:01:59.999Z')])
    assert.equal(
      (await minute('2026-10-20T12:00:00Z'))?.final,
      false,
      'not final 1 ms before the grace period ends',
    )
    await send([at('2026-10-20T12:02:00.000Z')])
    const finalRow = await minute('2026-10-20T12:00:00Z')
    assert.equal(finalRow?.final, true, 'final once the grace period has passed')
    assert.equal(finalRow?.correction, false)

    // a late event for the final window: applied, flagged as a correction, counted
    await waitAllPublished(lander, { intervalMs: 200 })
    const before = await flagsOfEveryRow(pool)
    assert.deepEqual(
      [...before].filter(([, f]) => f.correction).map(([k]) => k),
      [],
      'no correction before a late event',
    )
    await send([at('2026-10-20T12:00:20.000Z', { sku: 'SKU-00002' })])
    await waitAllPublished(lander, { intervalMs: 200 })
    const after = await flagsOfEveryRow(pool)
    // exactly the rows that were final and whose value the late event changed are corrections,
    // in every table (the minute, and the rolling hours that end after it); no open window is one
    const changedAfterFinal = [...after]
      .filter(([k, f]) => before.get(k)?.final === true && before.get(k)?.value !== f.value)
      .map(([k]) => k)
    assert.deepEqual(
      [...after].filter(([, f]) => f.correction).map(([k]) => k),
      changedAfterFinal,
      'correction = changed after becoming final',
    )
    assert.ok(
      [...after.keys()].every((k) => before.has(k) || after.get(k)?.final === false),
      'no final row appeared for the late event',
    )
    assert.deepEqual(changedAfterFinal, [
      `sales_agg_minute|${STORE}|EUR|2026-10-20T12:00Z`,
      `store_rolling_1h|${STORE}|EUR|2026-10-20T12:01Z`,
    ])
    const corrected = await minute('2026-10-20T12:00:00Z')
    assert.equal(corrected?.lines, '2', 'the late event is counted, never dropped')
    assert.equal(corrected?.final, true)
    assert.equal(corrected?.correction, true)
    assert.ok(Number(corrected?.version) > Number(finalRow?.version))
    const metrics = await lander.registry.metrics()
    assert.ok(
      metricValue(metrics, 'sretl_aggregates_late_corrections_total', { aggregate: 'sales_minute' }) >= 1,
      'the correction is counted',
    )

    await waitFor(
      async () => {
        const outcome = await lander.aggregates.cycleNow()
        return outcome.ran && Object.values(outcome.unpublished ?? { x: 1 }).every((n) => n === 0)
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'aggregates were not all published' },
    )
    const names = topicNames(kafka).aggregates
    const minuteTopic = await latestValues(kafka, names.sales_minute)
    const value = minuteTopic.get(`${STORE}|EUR|2026-10-20T12:00:00.000Z`)
    assert.equal(value?.final, true)
    assert.equal(value?.correction, true)
    assert.equal(value?.lines, 2)
    assert.equal(value?.version, Number(corrected?.version))

    // every topic's latest value per key equals its table's row
    const tables = {
      sales_minute: ['sales_agg_minute', 'store_id, currency, window_start'],
      sales_hourly: ['sales_hourly', 'store_id, currency, window_start'],
      store_rolling_1h: ['store_rolling_1h', 'store_id, currency, window_end'],
      top_skus: ['top_skus', 'scope, store_id, currency, window_start, rank'],
    } as const
    for (const [aggregate, [table, key]] of Object.entries(tables)) {
      const latest = await latestValues(kafka, names[aggregate as keyof typeof names])
      const rows = await pool.query<{ k: string; version: string; final: boolean; correction: boolean }>(
        `SELECT concat_ws('|', ${key
          .split(', ')
          .map((c) =>
            c.startsWith('window')
              ? `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
              : c === 'rank'
                ? 'rank::text'
                : `${c}::text`,
          )
          .join(', ')}) AS k, version, final, correction FROM ${table}`,
      )
      assert.ok(rows.rows.length > 0, `${table} has rows`)
      assert.equal(latest.size, rows.rows.length, `${aggregate}: one topic key per row`)
      for (const r of rows.rows) {
        const v = latest.get(r.k)
        assert.ok(v, `${aggregate}: topic has ${r.k}`)
        assert.deepEqual(
          [v.version, v.final, v.correction],
          [Number(r.version), r.final, r.correction],
          `${aggregate} ${r.k}: topic value = row`,
        )
      }
    }
    const results = await verifyAggregates(pool, { limit: 5 })
    for (const r of results)
      assert.equal(r.differenceCount, 0, `${r.aggregate}: ${JSON.stringify(r.differences)}`)
  } finally {
    await lander.stop()
  }
})
