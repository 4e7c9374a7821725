import assert from 'node:assert/strict'
import { test } from 'node:test'
import { judge, requestTotals, type LoadMeasurements } from '../../../src/cli/load/slo-report.ts'

const healthy: LoadMeasurements = {
  profile: '5x',
  startedAt: '2026-12-05T10:00:00.000Z',
  durationSec: 600,
  baseRatePerSec: 100,
  events: { simulator: 300_000, tills: 30_000 },
  rowsLanded: 329_990,
  deadLetters: 10,
  latency: { p50: 0.08, p95: 0.2, p99: 0.4, withinFiveSeconds: 0.9995, events: 330_000 },
  lag: { maxMessages: 900, maxSeconds: 1.2 },
  tills: { byStatus: { '202': 2_999, '503': 1 }, latencyMs: [] },
  resources: [],
  drained: true,
}

const verdict = (m: LoadMeasurements, name: string) => judge(m).slos.find((s) => s.name === name)

test('a run inside every objective should be met, with the burn of each budget', () => {
  const report = judge(healthy)
  assert.equal(report.met, true)
  assert.ok(Math.abs((verdict(healthy, 'freshness')?.burn ?? 0) - 0.05) < 1e-9)
  assert.ok(Math.abs((verdict(healthy, 'availability')?.burn ?? 0) - 1 / 3) < 1e-9)
})

test('freshness below 99 % within 5 s should miss the SLO with a burn above 1', () => {
  const m = { ...healthy, latency: { ...healthy.latency!, withinFiveSeconds: 0.97 } }
  assert.equal(judge(m).met, false)
  assert.equal(verdict(m, 'freshness')?.met, false)
  assert.ok(Math.abs((verdict(m, 'freshness')?.burn ?? 0) - 3) < 1e-9)
})

test('a P95 above the 250 ms aim should be reported missed without failing the run', () => {
  const m = { ...healthy, latency: { ...healthy.latency!, p95: 0.6 } }
  assert.equal(verdict(m, 'e2e P95 aim')?.met, false)
  assert.equal(judge(m).met, true)
})

test('lag of a minute or more should miss the lag SLO', () => {
  assert.equal(judge({ ...healthy, lag: { maxMessages: 1, maxSeconds: 60 } }).met, false)
})

test('a run whose events did not all land in the catch-up should fail', () => {
  const m = { ...healthy, rowsLanded: 1_000, drained: false }
  assert.equal(judge(m).met, false)
  assert.match(verdict(m, 'caught up')?.measured ?? '', /328,990 still to land/)
})

test('a run without Prometheus should not be reported met', () => {
  const report = judge({ ...healthy, latency: undefined })
  assert.equal(report.met, false)
  assert.equal(verdict({ ...healthy, latency: undefined }, 'freshness')?.met, undefined)
})

test('till answers should count 5xx and unanswered requests against availability and 429 apart', () => {
  assert.deepEqual(requestTotals({ '202': 90, '429': 4, '503': 3, '0': 2, '400': 1 }), {
    total: 100,
    serverErrors: 5,
    throttled: 4,
    unavailable: 3,
  })
})
