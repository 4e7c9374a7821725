import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { verifyAggregates } from '../../src/aggregates/verify.ts'
import { seedReference, startAggregatingLander, waitAllPublished } from '../support/aggregates.ts'
import { makeSaleLine } from '../support/events.ts'
import { pipelineEnv } from '../support/harness.ts'
import { landSales } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })

/** One line of `units` × `unit` for a SKU at 10:xx UTC (12:xx local in Berlin and Paris). */
const sale = (store: string, sku: string, units: number, unit: number, minute: number): SaleLine =>
  makeSaleLine({
    store_id: store,
    sku,
    quantity: units,
    unit_price_minor: unit,
    tax_minor: 0,
    currency: 'EUR',
    event_time: `2026-10-20T10:${String(minute).padStart(2, '0')}:00.000Z`,
  })

test('top_skus should break ties by units then SKU id, per store and overall per currency, exactly as the oracle ranks', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, { LANDER_GROUP_ID: 'agg-top', AGG_IDLE_MS: '1000' })
  const events: SaleLine[] = [
    // S0001: twelve SKUs; 00003/00007/00005 tie on 600 (units 3, 3, 6); 00010/00011 tie on everything
    sale('S0001', 'SKU-00001', 1, 1000, 1),
    sale('S0001', 'SKU-00007', 3, 200, 2),
    sale('S0001', 'SKU-00003', 3, 200, 3),
    sale('S0001', 'SKU-00005', 6, 100, 4),
    sale('S0001', 'SKU-00011', 1, 50, 5),
    sale('S0001', 'SKU-00010', 1, 50, 6),
    sale('S0001', 'SKU-00012', 1, 40, 7),
    sale('S0001', 'SKU-00013', 1, 30, 8),
    sale('S0001', 'SKU-00014', 1, 20, 9),
    sale('S0001', 'SKU-00015', 1, 10, 10),
    sale('S0001', 'SKU-00016', 1, 5, 11),
    sale('S0001', 'SKU-00017', 1, 1, 12),
    // S0002 (also EUR): lifts SKU-00010 above SKU-00011 overall
    sale('S0002', 'SKU-00010', 1, 50, 13),
    sale('S0002', 'SKU-00001', 1, 1, 14),
  ]
  const lander = startAggregatingLander(kafka, db.url, env)
  try {
    await landSales(kafka, pool, 'agg-top', events)
    await waitAllPublished(lander, { only: 'top_skus', message: 'top_skus not published' })
    const ranks = async (scope: string, store: string) =>
      (
        await pool.query<{ rank: number; sku: string; name: string | null; category: string | null }>(
          `SELECT rank, sku, name, category FROM top_skus WHERE scope = $1 AND store_id = $2 AND currency = 'EUR'
           AND window_start = '2026-10-20T10:00:00Z' ORDER BY rank`,
          [scope, store],
        )
      ).rows
    const perStore = await ranks('store', 'S0001')
    assert.deepEqual(
      perStore.map((r) => r.sku),
      [
        'SKU-00001',
        'SKU-00005',
        'SKU-00003',
        'SKU-00007',
        'SKU-00010',
        'SKU-00011',
        'SKU-00012',
        'SKU-00013',
        'SKU-00014',
        'SKU-00015',
      ],
      'net revenue, then units, then SKU id; ten ranks',
    )
    assert.ok(
      perStore.every((r) => r.name !== null && r.category !== null),
      'names and categories from products',
    )
    const overall = await ranks('all', '*')
    assert.deepEqual(
      overall.slice(0, 6).map((r) => r.sku),
      ['SKU-00001', 'SKU-00005', 'SKU-00003', 'SKU-00007', 'SKU-00010', 'SKU-00011'],
    )
    const results = await verifyAggregates(pool, { limit: 10, only: ['top_skus'] })
    assert.equal(results[0]?.differenceCount, 0, JSON.stringify(results[0]?.differences))

    // every sample query of docs/aggregates.md runs as the reader role
    const doc = readFileSync(new URL('../../docs/aggregates.md', import.meta.url), 'utf8')
    const queries = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
    assert.ok(queries.length >= 5, 'docs/aggregates.md has its sample queries')
    for (const sql of queries) await pool.query(sql)
  } finally {
    await lander.stop()
  }
})
