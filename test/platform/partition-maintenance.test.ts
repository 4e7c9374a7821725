import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dayRange, maintenanceSection } from '../../src/platform/partition-maintenance.ts'
import { loadConfig } from '../../src/platform/config.ts'

test('dayRange should list every UTC day between two days, both included, across month ends', () => {
  assert.deepEqual(dayRange('2026-02-27', '2026-03-02'), [
    '2026-02-27',
    '2026-02-28',
    '2026-03-01',
    '2026-03-02',
  ])
  assert.deepEqual(dayRange('2026-03-02', '2026-03-01'), [])
})

test('maintenance settings should default to a week ahead, three days back, no retention and 30 days of event_ids', () => {
  assert.deepEqual(loadConfig({}, maintenanceSection), {
    daysAhead: 7,
    daysBack: 3,
    retentionDays: 0,
    eventIdRetentionDays: 30,
    lockTimeoutMs: 5000,
  })
})
