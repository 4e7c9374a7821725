import assert from 'node:assert/strict'
import { test } from 'node:test'
import { phaseAt, PROFILE_NAMES, PROFILES } from '../../../src/cli/load/profiles.ts'

test('every load profile should start at second 0 with phases in time order', () => {
  for (const name of PROFILE_NAMES) {
    const phases = PROFILES[name].phases(PROFILES[name].defaultMinutes * 60)
    assert.equal(phases[0]?.fromSec, 0, name)
    for (let i = 1; i < phases.length; i++)
      assert.ok((phases[i]?.fromSec ?? 0) > (phases[i - 1]?.fromSec ?? 0), name)
  }
})

test('spike should run at ten times the base rate for two minutes of a six-minute run, then fall back', () => {
  const phases = PROFILES.spike.phases(360)
  assert.equal(phaseAt(phases, 119).simulatorFactor, 1)
  assert.equal(phaseAt(phases, 120).simulatorFactor, 10)
  assert.equal(phaseAt(phases, 239).simulatorFactor, 10)
  assert.equal(phaseAt(phases, 240).simulatorFactor, 1)
})

test('spike should keep to a third of a short run', () => {
  const phases = PROFILES.spike.phases(30)
  assert.deepEqual(
    phases.map((p) => [p.fromSec, p.simulatorFactor]),
    [
      [0, 1],
      [10, 10],
      [20, 1],
    ],
  )
})

test('the gateway profile should post batches of 1, 10 and 100 in three equal parts at the base rate', () => {
  const phases = PROFILES.gateway.phases(300)
  assert.deepEqual(
    phases.map((p) => [p.fromSec, p.batch, p.tillsFactor, p.simulatorFactor]),
    [
      [0, 1, 1, 1],
      [100, 10, 1, 1],
      [200, 100, 1, 1],
    ],
  )
})

test('5x should add a tenth of its rate through the tills', () => {
  const [phase] = PROFILES['5x'].phases(600)
  assert.equal(phase?.simulatorFactor, 5)
  assert.equal(phase?.tillsFactor, 0.5)
})
