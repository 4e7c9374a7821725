import assert from 'node:assert/strict'
import { test } from 'node:test'
import { referenceProducts } from '../../src/domain/reference-data.ts'
import { PromotionCalendar } from '../../src/simulator/promotions.ts'

test('promotions should run between their start and end, be the same for the same seed, and carry an id', () => {
  const products = referenceProducts()
  const a = new PromotionCalendar('seed', products, 6)
  const b = new PromotionCalendar('seed', products, 6)
  const seen = new Map<string, { from: number; to: number }>()
  for (let t = Date.UTC(2026, 10, 2); t < Date.UTC(2026, 10, 30); t += 3_600_000) {
    const active = a.activeAt(t)
    assert.deepEqual(
      active.map((p) => p.promoId),
      b.activeAt(t).map((p) => p.promoId),
    )
    for (const promo of active) {
      assert.ok(promo.startMs <= t && t < promo.endMs)
      assert.match(promo.promoId, /^PROMO-2026W\d{2}-\d{2}$/)
      assert.ok(promo.category !== undefined || (promo.skus?.size ?? 0) > 0)
      const span = seen.get(promo.promoId) ?? { from: t, to: t }
      seen.set(promo.promoId, { from: Math.min(span.from, t), to: Math.max(span.to, t) })
    }
  }
  assert.ok(seen.size >= 15, `about six a week, ${seen.size} in four weeks`)
  const describe = (calendar: PromotionCalendar) =>
    Array.from({ length: 28 * 24 }, (_, h) => calendar.activeAt(Date.UTC(2026, 10, 2) + h * 3_600_000))
      .flat()
      .map((p) => `${p.startMs}:${p.percentOff}:${p.category ?? p.skus?.size}`)
  assert.notDeepEqual(
    describe(new PromotionCalendar('other', products, 6)),
    describe(a),
    'another seed, other promotions',
  )
})
