import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkRateChange, effectiveCap, type CapSetting } from '../../../src/control/commands/limits.ts'

const settings = { defaultCapPerSec: null, confirmFactor: 4, confirmMinStep: 100 }
const noCap: CapSetting = { capPerSec: null, setBy: null, setAt: null }
const check = (
  current: number,
  requested: unknown,
  confirm = false,
  cap = noCap,
  hard: number | null = 25_000,
) => checkRateChange({ current, requested, confirm, cap, hardCapPerSec: hard, settings })

test('the effective cap should be the lower of the admin’s and the simulator’s', () => {
  assert.equal(effectiveCap(noCap, 25_000), 25_000)
  assert.equal(effectiveCap({ ...noCap, capPerSec: 1000 }, 25_000), 1000)
  assert.equal(effectiveCap({ ...noCap, capPerSec: 30_000 }, 25_000), 25_000)
  assert.equal(effectiveCap(noCap, null), null)
})

test('a rate above the cap should be refused naming who set the cap, confirmed or not', () => {
  const cap = { capPerSec: 1000, setBy: 'ada', setAt: '2026-11-30T10:00:00.000Z' }
  const refused = check(100, 1200, true, cap)
  assert.equal(refused.ok, false)
  if (refused.ok) return
  assert.equal(refused.code, 'RATE_ABOVE_CAP')
  assert.match(
    refused.message,
    /1,200 events\/s is above the safe cap of 1,000 events\/s \(set by ada on 2026-11-30 10:00 UTC\); an admin can raise the cap up to 25,000 events\/s\. The rate stays at 100 events\/s\./,
  )
  const hard = check(100, 30_000, true)
  assert.equal(hard.ok, false)
  if (!hard.ok) assert.match(hard.message, /the simulator’s own limit, SIMULATOR_MAX_RATE_PER_SEC/)
})

test('a big increase should need a confirmation; small steps and decreases never', () => {
  const jump = check(100, 500)
  assert.equal(jump.ok, false)
  if (!jump.ok) {
    assert.equal(jump.code, 'CONFIRMATION_REQUIRED')
    assert.deepEqual(jump.extra.confirm, { ratePerSec: 500, confirm: true })
    assert.match(jump.message, /from 100 events\/s to 500 events\/s is 5\.0×/)
  }
  assert.equal(check(100, 500, true).ok, true)
  assert.equal(check(100, 400).ok, true, 'exactly the factor')
  assert.equal(check(10, 100).ok, true, 'a 10× jump of 90 events/s is below the minimum step')
  assert.equal(check(0, 150).ok, false, 'from 0 by more than the minimum step')
  assert.equal(check(20_000, 1).ok, true, 'lowering is always safe')
  assert.equal(check(100, 100).ok, true)
})

test('a rate that is not a number ≥ 0 should be refused', () => {
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '100', null, undefined]) {
    const r = check(100, bad)
    assert.equal(r.ok, false)
    if (!r.ok) assert.equal(r.code, 'RATE_INVALID')
  }
})
