import assert from 'node:assert/strict'
import { test } from 'node:test'
import { storeTraffic, zoneOffsetMs, DEFAULT_TRAFFIC } from '../../src/simulator/traffic.ts'

const HOUR = 3_600_000

test('zone offsets should follow DST and half-hour zones', () => {
  const january = Date.UTC(2026, 0, 15, 12)
  const july = Date.UTC(2026, 6, 15, 12)
  assert.equal(zoneOffsetMs('Asia/Kolkata', january), 5.5 * HOUR)
  assert.equal(zoneOffsetMs('Asia/Kolkata', july), 5.5 * HOUR)
  assert.equal(zoneOffsetMs('Europe/Berlin', january), 1 * HOUR)
  assert.equal(zoneOffsetMs('Europe/Berlin', july), 2 * HOUR)
  assert.equal(zoneOffsetMs('America/New_York', january), -5 * HOUR)
  assert.equal(zoneOffsetMs('America/New_York', july), -4 * HOUR)
  assert.equal(zoneOffsetMs('Australia/Sydney', january), 11 * HOUR, 'southern summer')
  // the night Europe springs forward: 01:00 UTC on 2026-03-29
  assert.equal(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 2, 29, 0, 59)), 1 * HOUR)
  assert.equal(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 2, 29, 1, 0)), 2 * HOUR)
})

test('a store should have no traffic outside its opening hours, and most in the evening peak', () => {
  const store = { opens_hour: 8, closes_hour: 21 }
  assert.equal(storeTraffic(store, 7.99, false, DEFAULT_TRAFFIC), 0)
  assert.equal(storeTraffic(store, 21, false, DEFAULT_TRAFFIC), 0)
  const hours = Array.from({ length: 13 }, (_, i) => storeTraffic(store, 8.5 + i, false, DEFAULT_TRAFFIC))
  assert.equal(hours.indexOf(Math.max(...hours)) + 8, 18)
  assert.ok(
    storeTraffic(store, 12.5, true, DEFAULT_TRAFFIC) > storeTraffic(store, 12.5, false, DEFAULT_TRAFFIC),
  )
})
