import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CounterRates, errorCount, landerFigures, sumMetric } from '../../src/control/readings.ts'

const text = [
  '# HELP sretl_gateway_requests_total x',
  'sretl_gateway_requests_total{route="/v1/sales",status="202",component="gateway"} 40',
  'sretl_gateway_requests_total{route="/v1/sales",status="503",component="gateway"} 3',
  'sretl_gateway_requests_total{route="/v1/sales",status="500",component="gateway"} 2',
  'sretl_gateway_requests_total_extra 99',
].join('\n')

test('metric sums should add the samples of one name, optionally filtered by labels', () => {
  assert.equal(sumMetric(text, 'sretl_gateway_requests_total'), 45)
  assert.equal(errorCount('gateway', text), 5)
  assert.equal(errorCount('simulator', ''), 0, 'a counter with no samples yet is 0')
  assert.equal(sumMetric(text, 'nothing_here'), undefined)
})

test('counter rates should span the window, and start afresh after a restart', () => {
  const rates = new CounterRates(2000)
  assert.equal(rates.rate('k', 0, 0, 'a'), null)
  assert.equal(rates.rate('k', 100, 1000, 'a'), 100)
  assert.equal(rates.rate('k', 300, 2000, 'a'), 150)
  assert.equal(rates.rate('k', 400, 3000, 'a'), 150, 'over the last 2 s')
  assert.equal(rates.rate('k', 10, 4000, 'a'), null, 'the counter went down: restarted')
  assert.equal(rates.rate('k', 20, 5000, 'b'), null, 'another instance')
  assert.equal(rates.rate('k', undefined, 6000), null)
})

test('the lander’s figures should add lag over partitions and keep the oldest age', () => {
  const figures = landerFigures({
    component: 'lander',
    instance: 'x',
    state: 'RUNNING',
    since: '',
    heartbeatAt: '',
    details: {
      paused: false,
      topic: 'sales.events.v1',
      totals: { rows: 10, deadLetters: 2 },
      latencyMs: { eventToCommit: { p50: 120, p95: 300, p99: 400 } },
      partitions: [
        { partition: 0, state: 'RUNNING', lastError: null, lagMessages: 5, lagSeconds: 1.5 },
        { partition: 1, state: 'FAILED', lagMessages: 7, lagSeconds: 9, lastError: { message: 'db down' } },
      ],
    },
  })
  assert.deepEqual(figures, {
    rows: 10,
    deadLetters: 2,
    lagMessages: 12,
    lagSeconds: 9,
    p50Ms: 120,
    p95Ms: 300,
    paused: false,
    failedPartitions: [{ partition: 1, message: 'db down' }],
  })
  assert.equal(
    landerFigures({
      component: 'lander',
      instance: 'x',
      state: 'RUNNING',
      since: '',
      heartbeatAt: '',
      details: {},
    }),
    undefined,
    'details that break the contract give no figures rather than zeros',
  )
})
