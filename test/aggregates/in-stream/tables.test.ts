import assert from 'node:assert/strict'
import { test } from 'node:test'
import { selectList, TABLES, topicKey, topicValue } from '../../../src/aggregates/in-stream/tables.ts'

test('a topic key joins the aggregate’s primary key with | and writes times in ISO 8601', () => {
  const row = { scope: 'store', store_id: 'S0001', currency: 'EUR', window_start: '1792486800000', rank: 3 }
  assert.equal(topicKey(TABLES.top_skus, row), 'store|S0001|EUR|2026-10-20T09:00:00.000Z|3')
})

test('a topic value carries the window, the measures as numbers, version, final and correction', () => {
  const value = topicValue(TABLES.sales_minute, {
    store_id: 'S0001',
    currency: 'EUR',
    window_start: '1792486800000',
    window_end: '1792486860000',
    lines: '3',
    units: '5',
    receipts: '2',
    gross_minor: '1000',
    discount_minor: '0',
    returns_minor: '600',
    net_minor: '400',
    version: '4',
    final: true,
    correction: false,
  })
  assert.deepEqual(value, {
    aggregate: 'sales_minute',
    store_id: 'S0001',
    currency: 'EUR',
    window_start: '2026-10-20T09:00:00.000Z',
    window_end: '2026-10-20T09:01:00.000Z',
    lines: 3,
    units: 5,
    receipts: 2,
    gross_minor: 1000,
    discount_minor: 0,
    returns_minor: 600,
    net_minor: 400,
    version: 4,
    final: true,
    correction: false,
  })
})

test('sums beyond 2^53 travel as strings, never rounded', () => {
  const value = topicValue(TABLES.sales_minute, { net_minor: '9007199254740993' })
  assert.equal(value.net_minor, '9007199254740993')
})

test('the select list reads times as milliseconds and dates as text', () => {
  const list = selectList(TABLES.sales_hourly)
  assert.match(list, /\(extract\(epoch FROM window_start\) \* 1000\)::bigint::text AS window_start/)
  assert.match(list, /local_date::text AS local_date/)
})
