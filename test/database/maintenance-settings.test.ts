import assert from 'node:assert/strict'
import { test } from 'node:test'
import { maintenanceSection } from '../../src/database/maintenance-settings.ts'
import { loadConfig } from '../../src/platform/config.ts'

test('maintenance settings should default to a week ahead, three days back, 400 days of sales, 1100 of aggregates, 400 of audit and 30 of event_ids', () => {
  assert.deepEqual(loadConfig({}, maintenanceSection), {
    daysAhead: 7,
    daysBack: 3,
    retentionDays: 400,
    aggregateRetentionDays: 1100,
    auditRetentionDays: 400,
    eventIdRetentionDays: 30,
    lockTimeoutMs: 5000,
  })
})

test('maintenance settings should refuse aggregates kept shorter than sales and an audit log kept under 30 days, naming the variable', () => {
  assert.throws(
    () => loadConfig({ RETENTION_DAYS: '400', AGGREGATE_RETENTION_DAYS: '100' }, maintenanceSection),
    /AGGREGATE_RETENTION_DAYS: 100 is shorter than RETENTION_DAYS \(400\)/,
  )
  assert.throws(
    () => loadConfig({ RETENTION_DAYS: '0', AGGREGATE_RETENTION_DAYS: '1100' }, maintenanceSection),
    /AGGREGATE_RETENTION_DAYS: 1100 is shorter than RETENTION_DAYS \(keep everything\)/,
  )
  assert.equal(
    loadConfig({ RETENTION_DAYS: '0' }, maintenanceSection).aggregateRetentionDays,
    0,
    'unset, it follows',
  )
  assert.equal(loadConfig({ RETENTION_DAYS: '2000' }, maintenanceSection).aggregateRetentionDays, 2000)
  assert.throws(
    () => loadConfig({ AUDIT_RETENTION_DAYS: '7' }, maintenanceSection),
    /AUDIT_RETENTION_DAYS: 7 is under 30/,
  )
  assert.equal(
    loadConfig(
      { RETENTION_DAYS: '0', AGGREGATE_RETENTION_DAYS: '0', AUDIT_RETENTION_DAYS: '0' },
      maintenanceSection,
    ).retentionDays,
    0,
    'keeping everything stays possible',
  )
})
