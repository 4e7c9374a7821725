import assert from 'node:assert/strict'
import { test } from 'node:test'
import { localPriceMinor, referenceProducts, referenceStores } from '../../src/domain/reference-data.ts'
import { MARKETS } from '../../src/domain/reference-tables.ts'

test('about 200 stores should span at least six time zones with DST and a half-hour offset, each in its currency', () => {
  const stores = referenceStores()
  assert.equal(stores.length, 200)
  assert.equal(new Set(stores.map((s) => s.store_id)).size, 200)
  const zones = new Set(stores.map((s) => s.time_zone))
  assert.ok(zones.size >= 6)
  for (const zone of ['Asia/Kolkata', 'Europe/Berlin', 'America/New_York']) assert.ok(zones.has(zone), zone)
  for (const store of stores) {
    const market = MARKETS.find((m) => m.timeZone === store.time_zone)
    assert.equal(store.currency, market?.currency)
    assert.ok(store.opens_hour < store.closes_hour && store.registers >= 2)
  }
  const logs = stores.map((s) => Math.log(s.size_sqm)).sort((a, b) => a - b)
  const mean = logs.reduce((a, b) => a + b) / logs.length
  const median = logs[100] ?? 0
  assert.ok(Math.abs(mean - median) < 0.15, 'log-sizes are symmetric: sizes are log-normal')
  assert.ok(
    (stores.map((s) => s.size_sqm).sort((a, b) => b - a)[0] ?? 0) > 3 * Math.exp(median),
    'a long tail',
  )
})

test('about 5,000 products should have categories and list prices that mostly end in .99', () => {
  const products = referenceProducts()
  assert.equal(products.length, 5000)
  assert.equal(new Set(products.map((p) => p.sku)).size, 5000)
  assert.ok(new Set(products.map((p) => p.category)).size >= 15)
  const ninetyNine = products.filter((p) => p.list_price_minor % 100 === 99).length
  assert.ok(ninetyNine / products.length > 0.55, `${ninetyNine} end in .99`)
  assert.ok(products.every((p) => p.list_price_minor > 0 && p.price_currency === 'EUR'))
})

test('local prices should follow each currency’s price points', () => {
  const product = { list_price_minor: 299 }
  assert.equal(localPriceMinor(product, 'EUR'), 299)
  assert.equal(localPriceMinor(product, 'USD') % 100, 99)
  assert.equal(localPriceMinor(product, 'JPY') % 10, 8, 'yen prices end in 8, no minor units')
  assert.throws(() => localPriceMinor(product, 'XXX'))
})

test('the reference data should be the same on every call (a fixed seed)', () => {
  assert.equal(referenceStores(), referenceStores())
  assert.equal(referenceStores()[0]?.store_id, 'S0001')
  assert.equal(referenceProducts()[4999]?.sku, 'SKU-05000')
})
