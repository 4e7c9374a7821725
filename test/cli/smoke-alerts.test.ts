import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AFTER_OUTAGE_RUNBOOK, judgeAlerts, type NowReading } from '../../src/cli/smoke-alerts.ts'
import type { ActiveAlert } from '../../src/observability/prometheus-api.ts'

const alert = (name: string, labels: Record<string, string> = {}): ActiveAlert => ({
  name,
  state: 'firing',
  labels: { severity: 'critical', ...labels },
})
const freshnessBurn = alert('SretlFreshnessBudgetBurnFast', { slo: 'freshness' })
const ingestBurn = alert('SretlIngestBudgetBurnFast', { slo: 'ingest-availability' })
const onTime: NowReading = { lagSeconds: 0.4, lateShare: 0, errorShare: 0 }

test('a freshness burn alert while landing is on time now should be a WARN that explains the outage and links the runbook', () => {
  const judged = judgeAlerts([freshnessBurn], [], onTime)
  assert.equal(judged.status, 'WARN')
  assert.match(judged.detail, /after an outage.*SretlFreshnessBudgetBurnFast/)
  const [line] = judged.more
  assert.match(line ?? '', /expected after an outage, not broken now/)
  assert.match(line ?? '', /events landed late during an earlier outage/)
  assert.match(line ?? '', /burns down by itself/)
  assert.match(line ?? '', /lag 0\.4 s, 0 % of the last 30 s's events landed over 5 s late/)
  assert.ok(line?.includes(AFTER_OUTAGE_RUNBOOK))
})

test('a freshness burn alert while the lander lags or events land late now should FAIL as broken now', () => {
  for (const now of [
    { ...onTime, lagSeconds: 75 },
    { ...onTime, lateShare: 0.4 },
    { ...onTime, lagSeconds: undefined },
  ]) {
    const judged = judgeAlerts([freshnessBurn], [], now)
    assert.equal(judged.status, 'FAIL', JSON.stringify(now))
    assert.match(judged.detail, /firing: SretlFreshnessBudgetBurnFast \(broken now\)/)
    assert.match(judged.more[0] ?? '', /broken now — .*docs\/runbook\.md#sretlfreshnessbudgetburnfast/)
  }
})

test('an ingest burn alert should be judged by the 5xx share now, and other alerts should fail as before', () => {
  assert.equal(judgeAlerts([ingestBurn], [], { ...onTime, lagSeconds: 300 }).status, 'WARN')
  assert.equal(judgeAlerts([ingestBurn], [], { ...onTime, errorShare: 0.2 }).status, 'FAIL')
  const mixed = judgeAlerts([freshnessBurn, alert('SretlLagHigh')], [], onTime)
  assert.equal(mixed.status, 'FAIL')
  assert.match(mixed.detail, /^firing: SretlLagHigh; expected after an outage: SretlFreshnessBudgetBurnFast$/)
  assert.equal(judgeAlerts([alert('SretlLagHigh')], ['SretlLagHigh'], onTime).status, 'PASS')
  assert.equal(judgeAlerts([], [], onTime).detail, 'no alert firing')
})
