import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Random } from '../../src/domain/random.ts'
import { referenceProducts, referenceStores, type Store } from '../../src/domain/reference-data.ts'
import { validateSaleLine } from '../../src/domain/sale-line-validator.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { EventSource, NO_FAULTS } from '../../src/simulator/event-source.ts'
import { ReceiptGenerator, type ReceiptSettings } from '../../src/simulator/receipts.ts'
import { liveTimeline, simulatedTimeline } from '../../src/simulator/timeline.ts'
import { DEFAULT_TRAFFIC, localTime } from '../../src/simulator/traffic.ts'

const SETTINGS: ReceiptSettings = {
  zipfExponent: 1.1,
  returnShare: 0.03,
  voidShare: 0.01,
  anonymousShare: 0.55,
  promotionsPerWeek: 6,
  traffic: DEFAULT_TRAFFIC,
  loyaltyKey: 'test-key',
}
const MONDAY = Date.UTC(2026, 10, 2) // 2026-11-02, a Monday

function generator(seed: string, settings: Partial<ReceiptSettings> = {}, stores = referenceStores()) {
  return new ReceiptGenerator({
    seed,
    stores,
    products: referenceProducts(),
    settings: { ...SETTINGS, ...settings },
  })
}

/** Lines of receipts at evenly spaced instants (live mode with a stepping clock). */
function linesOf(
  gen: ReceiptGenerator,
  receipts: number,
  from = MONDAY + 15 * 3_600_000,
  stepMs = 50,
): SaleLine[] {
  const lines: SaleLine[] = []
  for (let i = 0; i < receipts; i++) lines.push(...gen.receiptAt(from + i * stepMs))
  return lines
}

/** Least-squares slope of log(count) against log(rank) over the ranks given. */
function zipfSlope(gen: ReceiptGenerator, lines: readonly SaleLine[], ranks: number): number {
  const rankOf = new Map<string, number>()
  const products = referenceProducts()
  gen.popularityOrder.forEach((productIndex, rank) => rankOf.set(products[productIndex]?.sku ?? '', rank + 1))
  const counts = new Float64Array(ranks)
  for (const line of lines) {
    const rank = rankOf.get(line.sku) ?? Infinity
    if (rank <= ranks) counts[rank - 1] = (counts[rank - 1] ?? 0) + 1
  }
  const xs = Array.from({ length: ranks }, (_, i) => Math.log(i + 1))
  const ys = Array.from(counts, (c) => Math.log(Math.max(c, 1)))
  const mx = xs.reduce((a, b) => a + b) / ranks
  const my = ys.reduce((a, b) => a + b) / ranks
  let num = 0
  let den = 0
  for (let i = 0; i < ranks; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my)
    den += ((xs[i] ?? 0) - mx) ** 2
  }
  return -num / den
}

test('SKU popularity should follow a Zipf law whose fitted exponent matches the setting', () => {
  for (const exponent of [0.8, 1.1]) {
    const gen = generator(`zipf-${exponent}`, { zipfExponent: exponent, returnShare: 0, voidShare: 0 })
    const lines = linesOf(gen, 60_000)
    const fitted = zipfSlope(gen, lines, 100)
    assert.ok(Math.abs(fitted - exponent) < 0.06, `exponent ${exponent}: fitted ${fitted.toFixed(3)}`)
  }
})

test('hourly volume should peak at the configured local hours in Asia/Kolkata and America/New_York', () => {
  const stores = referenceStores()
  const pick = (zone: string): Store => {
    const store = stores.find((s) => s.time_zone === zone && s.opens_hour > 0)
    assert.ok(store, `a store in ${zone}`)
    return store
  }
  const chosen = [pick('Asia/Kolkata'), pick('America/New_York')]
  const traffic = { lunchPeakHour: 13, eveningPeakHour: 19, weekendUplift: 1.3 }
  const gen = generator('peaks', { traffic }, chosen)
  const timeline = simulatedTimeline({
    startMs: MONDAY,
    endMs: MONDAY + 14 * 86_400_000,
    eventsPerDay: 20_000,
    weights: gen.weights,
    random: new Random('peaks').fork('timeline'),
  })
  const perHour = new Map(chosen.map((s) => [s.store_id, new Array<number>(24).fill(0)]))
  for (let time = timeline.next(); time !== undefined; time = timeline.next()) {
    for (const line of gen.receiptAt(time)) {
      const store = chosen.find((s) => s.store_id === line.store_id)
      assert.ok(store)
      const hour = localTime(store.time_zone, Date.parse(line.event_time)).getUTCHours()
      const counts = perHour.get(store.store_id)
      if (counts) counts[hour] = (counts[hour] ?? 0) + 1
    }
  }
  for (const store of chosen) {
    const counts = perHour.get(store.store_id) ?? []
    const busiest = counts.indexOf(Math.max(...counts))
    assert.equal(busiest, 19, `${store.time_zone}: busiest local hour ${busiest} in ${counts.join(',')}`)
    assert.ok(
      (counts[13] ?? 0) > (counts[11] ?? 0) && (counts[13] ?? 0) > (counts[15] ?? 0),
      `${store.time_zone}: a lunch peak at 13:00 in ${counts.join(',')}`,
    )
    const closed = counts.slice(0, store.opens_hour).reduce((a, b) => a + b, 0)
    assert.equal(closed, 0, `${store.time_zone}: nothing sold before opening at ${store.opens_hour}:00`)
  }
})

test('every return should reference an earlier receipt of the same store and return no more than was sold', () => {
  const gen = generator('returns', { returnShare: 0.25 })
  const sold = new Map<string, { store: string; time: string; qty: Map<string, number> }>()
  let returns = 0
  for (const line of linesOf(gen, 30_000, MONDAY + 15 * 3_600_000, 1000)) {
    if (line.event_type === 'SALE') {
      const receipt = sold.get(line.receipt_id) ?? {
        store: line.store_id,
        time: line.event_time,
        qty: new Map(),
      }
      receipt.qty.set(line.sku, (receipt.qty.get(line.sku) ?? 0) + line.quantity)
      sold.set(line.receipt_id, receipt)
    } else if (line.event_type === 'VOID') {
      const receipt = sold.get(line.receipt_id)
      receipt?.qty.set(line.sku, (receipt.qty.get(line.sku) ?? 0) + line.quantity)
    } else {
      returns += 1
      const original = sold.get(line.original_receipt_id ?? '')
      assert.ok(original, `return ${line.receipt_id} refers to a receipt issued earlier`)
      assert.equal(original.store, line.store_id)
      assert.ok(original.time < line.event_time)
      const left = (original.qty.get(line.sku) ?? 0) + line.quantity
      assert.ok(left >= 0, `${line.sku} of ${line.original_receipt_id}: returned more than sold`)
      original.qty.set(line.sku, left)
    }
  }
  assert.ok(returns > 1000, `enough returns to matter (${returns})`)
})

test('every generated line should satisfy the contract, amounts included', () => {
  const gen = generator('amounts', { returnShare: 0.1, voidShare: 0.05 })
  const types = new Map<string, number>()
  const currencies = new Set<string>()
  let promoted = 0
  let anonymous = 0
  const lines = linesOf(gen, 20_000, MONDAY + 10 * 3_600_000, 20_000)
  for (const line of lines) {
    const result = validateSaleLine(line)
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(
      line.net_amount_minor,
      line.quantity * line.unit_price_minor - line.discount_minor + line.tax_minor,
    )
    types.set(line.event_type, (types.get(line.event_type) ?? 0) + 1)
    currencies.add(line.currency)
    if (line.promo_id) promoted += 1
    if (!line.customer_ref) anonymous += 1
  }
  assert.deepEqual([...types.keys()].sort(), ['RETURN', 'SALE', 'VOID'])
  assert.deepEqual([...currencies].sort(), ['AUD', 'EUR', 'GBP', 'INR', 'JPY', 'USD'])
  assert.ok(promoted > 0, 'promotions discount some lines')
  const share = anonymous / lines.length
  assert.ok(share > 0.45 && share < 0.65, `about 55 % anonymous, got ${share}`)
  const single = lines.filter((l) => l.event_type === 'SALE' && l.quantity === 1).length
  assert.ok(single / (types.get('SALE') ?? 1) > 0.7, 'most lines sell one unit')
})

test('the same seed and settings should give the same events, another seed other events', () => {
  const run = (seed: string, mode: 'live' | 'simulated') => {
    const gen = generator(seed)
    let now = MONDAY + 12 * 3_600_000
    const timeline =
      mode === 'live'
        ? liveTimeline(() => (now += 7))
        : simulatedTimeline({
            startMs: MONDAY,
            endMs: MONDAY + 86_400_000,
            eventsPerDay: 50_000,
            weights: gen.weights,
            random: new Random(seed).fork('timeline'),
          })
    const source = new EventSource({
      generator: gen,
      timeline,
      faults: NO_FAULTS,
      random: new Random(seed).fork('f'),
    })
    return source
      .take(5000)
      .map((m) => m.value.toString())
      .join('\n')
  }
  for (const mode of ['live', 'simulated'] as const) {
    const first = run('same', mode)
    assert.equal(run('same', mode), first, `${mode}: same seed, same bytes`)
    assert.notEqual(run('other', mode), first, `${mode}: another seed, other events`)
  }
})
