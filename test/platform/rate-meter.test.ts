import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RateMeter } from '../../src/platform/rate-meter.ts'

test('a rate meter should report events per second over its window and forget older ones', () => {
  const clock = { now: 10_000 }
  const meter = new RateMeter({ clock: () => clock.now, windowMs: 1000, bucketMs: 100 })
  for (let i = 0; i < 20; i++) {
    meter.record(50)
    clock.now += 100
  }
  assert.equal(Math.round(meter.perSecond()), 500)
  clock.now += 5000
  assert.equal(meter.perSecond(), 0)
})
