import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Counter } from 'prom-client'
import { buildComponentServer, StateTracker } from '../../src/platform/component-server.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'

const ADMIN = 'test-admin-token'
const admin = { authorization: `Bearer ${ADMIN}` }

function setup(pausable = true) {
  const metrics = createMetricsRegistry({ component: 'demo', processMetrics: false })
  const counter = new Counter({ name: 'sretl_demo_things_total', help: 'things', registers: [metrics] })
  counter.inc(3)
  const tracker = new StateTracker()
  tracker.set('RUNNING')
  let ready = true
  const app = buildComponentServer({
    component: 'demo',
    logger: silentLogger(),
    metrics,
    status: () => ({ ...tracker.snapshot(), details: { rate: 5 } }),
    readiness: () => ({ ready, reasons: ready ? [] : ['Kafka does not answer'] }),
    ...(pausable
      ? { control: { pause: () => tracker.set('PAUSED'), resume: () => tracker.set('RUNNING') } }
      : {}),
    adminToken: { verify: (token) => token === ADMIN },
  })
  return { app, tracker, setReady: (r: boolean) => (ready = r) }
}

test('a component should report status, readiness and metrics over HTTP', async () => {
  const { app, tracker, setReady } = setup()
  const status = await app.inject({ method: 'GET', url: '/status' })
  assert.equal(status.statusCode, 200)
  const body = status.json<{
    component: string
    state: string
    details: { rate: number }
    instance: string
  }>()
  assert.equal(body.component, 'demo')
  assert.equal(body.state, 'RUNNING')
  assert.deepEqual(body.details, { rate: 5 })
  assert.match(body.instance, /:\d+$/)

  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
  setReady(false)
  const notReady = await app.inject({ method: 'GET', url: '/readyz' })
  assert.equal(notReady.statusCode, 503)
  assert.deepEqual(notReady.json(), { ready: false, reasons: ['Kafka does not answer'] })

  const metrics = await app.inject({ method: 'GET', url: '/metrics' })
  assert.match(metrics.headers['content-type'] ?? '', /text\/plain/)
  assert.match(metrics.body, /sretl_demo_things_total\{component="demo"\} 3/)

  tracker.fail('PG_UNREACHABLE', 'down')
  const failed = (await app.inject({ method: 'GET', url: '/status' })).json<{
    state: string
    lastError: { code: string }
  }>()
  assert.equal(failed.state, 'FAILED')
  assert.equal(failed.lastError.code, 'PG_UNREACHABLE')
})

test('pause and resume should be idempotent and answer with the new status', async () => {
  const { app } = setup()
  for (const [url, state] of [
    ['/pause', 'PAUSED'],
    ['/pause', 'PAUSED'],
    ['/resume', 'RUNNING'],
    ['/resume', 'RUNNING'],
  ] as const) {
    const res = await app.inject({ method: 'POST', url, headers: admin, payload: { reason: 'test' } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.json<{ state: string }>().state, state)
  }
})

test('a component without flow control should answer 404 to pause', async () => {
  const { app } = setup(false)
  const res = await app.inject({ method: 'POST', url: '/pause', headers: admin, payload: {} })
  assert.equal(res.statusCode, 404)
  assert.equal(res.json<{ code: string }>().code, 'NOT_PAUSABLE')
})
