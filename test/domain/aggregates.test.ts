import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  addAmount,
  admissibleMaxEventTime,
  aggregateBatch,
  compareSkuRank,
  lineMeasures,
  OVERALL_SCOPE,
} from '../../src/domain/aggregates.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { makeSaleLine } from '../support/events.ts'

/** One fixed line (id, time, store, receipt) at 100 per unit and no tax, unless told otherwise. */
const line = (overrides: Partial<SaleLine>): SaleLine =>
  makeSaleLine({
    event_id: '01900000-0000-7000-8000-000000000000',
    event_time: '2026-10-20T10:00:00.000Z',
    store_id: 'S0001',
    register_id: 'R01',
    receipt_id: 'RC1',
    unit_price_minor: 100,
    tax_minor: 0,
    ...overrides,
  })

const row = (overrides: Partial<SaleLine>) => {
  const event = line(overrides)
  return { event, eventTimeMs: Date.parse(event.event_time) }
}

test('a sale line’s measures: gross and discount from sales, returns from returns and voids, net from all', () => {
  assert.deepEqual(
    lineMeasures(line({ quantity: 3, unit_price_minor: 250, discount_minor: 50, tax_minor: 70 })),
    {
      lines: 1,
      units: 3,
      receipts: 1,
      gross_minor: 750,
      discount_minor: 50,
      returns_minor: 0,
      net_minor: 770,
    },
  )
  const ret = line({
    event_type: 'RETURN',
    line_no: 2,
    quantity: -1,
    unit_price_minor: 500,
    tax_minor: -100,
    original_receipt_id: 'RC0',
  })
  assert.deepEqual(lineMeasures(ret), {
    lines: 1,
    units: -1,
    receipts: 0,
    gross_minor: 0,
    discount_minor: 0,
    returns_minor: 600,
    net_minor: -600,
  })
})

test('a batch is pre-aggregated per store, currency and window, in primary-key order', () => {
  const deltas = aggregateBatch(
    [
      row({ store_id: 'S0002', event_time: '2026-10-20T10:00:30.000Z' }),
      row({ store_id: 'S0001', event_time: '2026-10-20T10:00:59.999Z', line_no: 2 }),
      row({ store_id: 'S0001', event_time: '2026-10-20T10:00:00.000Z' }),
      row({ store_id: 'S0001', event_time: '2026-10-20T09:59:59.999Z', sku: 'SKU-00002' }),
      row({ store_id: 'S0001', event_time: '2026-10-20T10:00:10.000Z', currency: 'GBP' }),
    ],
    () => 'Europe/Berlin',
  )
  assert.deepEqual(
    deltas.minutes.map((d) => [
      d.storeId,
      d.currency,
      new Date(d.windowStart).toISOString(),
      d.measures.lines,
    ]),
    [
      ['S0001', 'EUR', '2026-10-20T09:59:00.000Z', 1],
      ['S0001', 'EUR', '2026-10-20T10:00:00.000Z', 2],
      ['S0001', 'GBP', '2026-10-20T10:00:00.000Z', 1],
      ['S0002', 'EUR', '2026-10-20T10:00:00.000Z', 1],
    ],
  )
  const eurMinute = deltas.minutes[1]
  assert.equal(eurMinute?.measures.receipts, 1, 'a receipt counts once, by its first line')
  assert.deepEqual(
    deltas.hours.map((d) => [d.storeId, d.currency, d.hour?.localHour, d.measures.lines]),
    [
      ['S0001', 'EUR', 11, 1],
      ['S0001', 'EUR', 12, 2],
      ['S0001', 'GBP', 12, 1],
      ['S0002', 'EUR', 12, 1],
    ],
  )
  const overall = deltas.skus.filter((s) => s.storeId === OVERALL_SCOPE)
  assert.deepEqual(
    overall.map((s) => [s.currency, new Date(s.windowStart).toISOString(), s.sku, s.measures.lines]),
    [
      ['EUR', '2026-10-20T09:00:00.000Z', 'SKU-00002', 1],
      ['EUR', '2026-10-20T10:00:00.000Z', 'SKU-00001', 3],
      ['GBP', '2026-10-20T10:00:00.000Z', 'SKU-00001', 1],
    ],
  )
})

test('sums stay exact beyond 2^53', () => {
  assert.equal(addAmount(Number.MAX_SAFE_INTEGER, 2), 9_007_199_254_740_993n)
  assert.equal(addAmount(5, 7), 12)
})

test('top SKUs rank by net revenue, then units, then SKU id', () => {
  const skus = [
    { sku: 'B', units: 1, net_minor: 100 },
    { sku: 'A', units: 1, net_minor: 100 },
    { sku: 'C', units: 5, net_minor: 100 },
    { sku: 'D', units: 1, net_minor: 200 },
  ]
  assert.deepEqual(
    [...skus].sort(compareSkuRank).map((s) => s.sku),
    ['D', 'C', 'A', 'B'],
  )
})

test('events dated far after their Kafka timestamp do not move the watermark', () => {
  const base = { ...row({}), produceTimeMs: Date.parse('2026-10-20T10:00:00.000Z') }
  const future = { ...row({ event_time: '2029-01-01T00:00:00.000Z' }), produceTimeMs: base.produceTimeMs }
  assert.equal(admissibleMaxEventTime([base, future], 300_000), base.eventTimeMs)
  assert.equal(admissibleMaxEventTime([future], 300_000), undefined)
})
