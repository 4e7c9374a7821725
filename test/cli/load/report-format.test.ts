import assert from 'node:assert/strict'
import { test } from 'node:test'
import { flowRows, reportMarkdown, resourceRows } from '../../../src/cli/load/report-format.ts'
import { judge, type LoadMeasurements } from '../../../src/cli/load/slo-report.ts'

const measurements: LoadMeasurements = {
  profile: 'gateway',
  startedAt: '2026-12-05T10:00:00.000Z',
  durationSec: 360,
  baseRatePerSec: 100,
  events: { simulator: 36_000, tills: 35_900 },
  rowsLanded: 71_900,
  deadLetters: 0,
  latency: { p50: 0.09, p95: 0.21, p99: 0.48, withinFiveSeconds: 1, events: 71_900 },
  lag: { maxMessages: 120, maxSeconds: 0.4 },
  tills: {
    byStatus: { '202': 11_990, '429': 10 },
    latencyMs: [{ batch: 100, requests: 120, p50: 12.5, p95: 30, p99: 41.25 }],
  },
  resources: [
    { name: 'kafka', cpuSeconds: 36, cpuShare: 0.1, peakMemoryBytes: 300 * 1_048_576, processes: 1 },
    { name: 'lander', cpuSeconds: 18, cpuShare: 0.05, peakMemoryBytes: 200 * 1_048_576, processes: 1 },
  ],
  drained: true,
}

test('the flow rows should show events, latency in ms and the 429 share of the tills', () => {
  const rows = Object.fromEntries(flowRows(judge(measurements)))
  assert.equal(rows['events in (simulator + tills)'], '36,000 + 35,900')
  assert.equal(rows['e2e event→commit P50 / P95 / P99'], '90 ms / 210 ms / 480 ms')
  assert.equal(rows['429 / 503 share'], '0.08 % / 0.00 %')
  assert.match(rows['till round trip, batches of 100'] ?? '', /P95 30\.0 .*\(120 requests\)/)
})

test('the resource rows should end with the total share of one core', () => {
  const rows = resourceRows(judge(measurements))
  assert.deepEqual(rows.at(-1), ['total', '54.0', '15.0 %', ''])
  assert.deepEqual(rows[0], ['kafka', '36.0', '10.0 %', '300 MB'])
})

test('the Markdown report should name the profile, the machine and the verdict, with escaped cells', () => {
  const text = reportMarkdown(judge(measurements), '2 cores')
  assert.match(text, /^# Load run: profile gateway, 2026-12-05T10:00:00.000Z/)
  assert.match(text, /on 2 cores\. Verdict: \*\*all SLOs met\*\*/)
  assert.match(
    text,
    /\| freshness \| 99 % of events committed within 5 s \(ADR 0021\) \| 100\.00 % of 71,900 \| 0\.00 \| met \|/,
  )
})
