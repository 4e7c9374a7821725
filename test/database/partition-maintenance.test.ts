import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dayRange, partitionPlan } from '../../src/database/partition-maintenance.ts'
import { maintenanceSection } from '../../src/database/maintenance-settings.ts'
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

test('partitionPlan should create the window around today and the backfill days retention keeps, oldest first', () => {
  const settings = { ...loadConfig({}, maintenanceSection), daysBack: 1, daysAhead: 2, retentionDays: 10 }
  const now = new Date('2026-12-05T12:00:00Z')
  const plan = partitionPlan(now, settings, ['2026-11-01', '2026-11-30', '2026-12-06'])
  assert.equal(plan.cutoff, '2026-11-25')
  assert.deepEqual(plan.create, ['2026-11-30', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'])
  assert.deepEqual(plan.expiredDefaultDays, ['2026-11-01'])
})

test('partitionPlan should keep every day when retention is off', () => {
  const settings = {
    ...loadConfig({}, maintenanceSection),
    daysBack: 0,
    daysAhead: 1,
    retentionDays: 0,
    aggregateRetentionDays: 0,
  }
  const plan = partitionPlan(new Date('2026-12-05T00:00:00Z'), settings, ['2020-01-01'])
  assert.equal(plan.cutoff, undefined)
  assert.deepEqual(plan.create, ['2020-01-01', '2026-12-05', '2026-12-06'])
  assert.deepEqual(plan.expiredDefaultDays, [])
})
