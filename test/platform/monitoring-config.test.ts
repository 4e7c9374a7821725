import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/platform/config.ts'
import { SretlError } from '../../src/platform/errors.ts'
import { monitoringSection, stackConfigSection } from '../../src/platform/monitoring-config.ts'

test('monitoring should default to the documented ports and a short local retention', () => {
  const config = loadConfig({}, monitoringSection)
  assert.equal(config.prometheus.port, 9090)
  assert.equal(config.alertmanager.port, 9093)
  assert.equal(config.postgresExporter.port, 9187)
  assert.equal(config.prometheus.url, 'http://127.0.0.1:9090')
  assert.equal(config.prometheus.retention, '2d')
  assert.equal(config.prometheus.retentionSize, '1GB')
  assert.equal(config.postgresExporter.databaseUrl, undefined)
})

test('the Prometheus URL should follow PROMETHEUS_PORT unless PROMETHEUS_URL is set', () => {
  assert.equal(
    loadConfig({ PROMETHEUS_PORT: '19090' }, monitoringSection).prometheus.url,
    'http://127.0.0.1:19090',
  )
  assert.equal(
    loadConfig({ PROMETHEUS_URL: 'https://prom.example/' }, monitoringSection).prometheus.url,
    'https://prom.example',
  )
})

test('bad durations, sizes and ports should be named', () => {
  assert.throws(
    () =>
      loadConfig(
        { PROMETHEUS_RETENTION: 'two days', PROMETHEUS_RETENTION_SIZE: 'lots', ALERTMANAGER_PORT: '70000' },
        monitoringSection,
      ),
    (err: unknown) =>
      err instanceof SretlError &&
      /PROMETHEUS_RETENTION: must be a Prometheus duration/.test(err.message) &&
      /PROMETHEUS_RETENTION_SIZE: must be a size/.test(err.message) &&
      /ALERTMANAGER_PORT: must be between 0 and 65535/.test(err.message),
  )
  assert.equal(
    loadConfig({ PROMETHEUS_RETENTION_SIZE: '512mb' }, monitoringSection).prometheus.retentionSize,
    '512MB',
  )
  assert.equal(
    loadConfig({ PROMETHEUS_SCRAPE_INTERVAL: '1m30s' }, monitoringSection).prometheus.scrapeInterval,
    '1m30s',
  )
})

test('the stack configuration should hold the shared sections and monitoring', () => {
  const config = loadConfig({ HOME: '/h' }, stackConfigSection)
  assert.equal(config.paths.home, '/h/.local/share/sretl')
  assert.equal(config.monitoring.prometheus.port, 9090)
})
