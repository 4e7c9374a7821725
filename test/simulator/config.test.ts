import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/platform/config.ts'
import { simulatorSection } from '../../src/simulator/config.ts'

test('the start rate should default by clock mode, and one above the cap should stop start-up', () => {
  const live = loadConfig({}, simulatorSection)
  assert.equal(live.ratePerSec, 100)
  assert.equal(live.capPerSec, 25_000)
  assert.match(live.seed, /^[0-9a-f]{12}$/, 'a random seed when none is given')
  const simulated = loadConfig(
    { SIMULATOR_CLOCK: 'simulated', SIMULATOR_MAX_RATE_PER_SEC: '5000' },
    simulatorSection,
  )
  assert.equal(simulated.ratePerSec, 5000, 'history is written as fast as the cap allows')
  assert.throws(
    () => loadConfig({ RATE_PER_SEC: '30000' }, simulatorSection),
    /RATE_PER_SEC: 30000 events\/s is above SIMULATOR_MAX_RATE_PER_SEC=25000/,
  )
  assert.throws(
    () => loadConfig({ RATE_PER_SEC: '20000', SIMULATOR_RATE_SHAPE: 'sine' }, simulatorSection),
    /peaking at 30000 with the sine shape/,
  )
  assert.throws(
    () => loadConfig({ RATE_PER_SEC: 'fast' }, simulatorSection),
    /RATE_PER_SEC: must be a number/,
  )
})

test('a simulated history should start at midnight UTC N days ago unless told otherwise', () => {
  const config = loadConfig(
    {
      SIMULATOR_CLOCK: 'simulated',
      SIMULATOR_HISTORY_DAYS: '2',
      SIMULATOR_HISTORY_START: '2026-01-01T00:00:00Z',
    },
    simulatorSection,
  )
  assert.equal(config.history.startMs, Date.UTC(2026, 0, 1))
  assert.equal(config.history.endMs, Date.UTC(2026, 0, 3))
  const fallback = loadConfig({ SIMULATOR_HISTORY_DAYS: '3' }, simulatorSection)
  assert.equal(fallback.history.startMs % 86_400_000, 0)
  assert.throws(() => loadConfig({ SIMULATOR_HISTORY_START: 'yesterday' }, simulatorSection), /ISO 8601/)
  assert.equal(loadConfig({ SIMULATOR_SEED: 'abc' }, simulatorSection).seed, 'abc')
})
