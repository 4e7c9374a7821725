import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BytesMessage } from '../../src/platform/kafka.ts'
import { Keyring } from '../../src/gateway/api-keys.ts'
import { gatewaySection } from '../../src/gateway/config.ts'
import { Gateway } from '../../src/gateway/gateway.ts'
import { Ingest } from '../../src/gateway/ingest.ts'
import { createGatewayMetrics } from '../../src/gateway/metrics.ts'
import { buildGatewayServer } from '../../src/gateway/server.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'
import { parseDetails } from '../../src/platform/status-details.ts'
import { makeSaleLine } from '../support/events.ts'

const KEY = 'sretl-dev-key'
const ADMIN = 'admin-token'

/** The gateway's routes in-process; `send` stands where Kafka's producer is in `sretl run gateway`. */
function setup(send: (messages: BytesMessage[]) => Promise<unknown> = () => Promise.resolve()) {
  const settings = loadConfig({ GATEWAY_ALLOW_DEV_KEY: 'true' }, gatewaySection)
  const registry = createMetricsRegistry({ component: 'gateway', processMetrics: false })
  const metrics = createGatewayMetrics(registry)
  const logger = silentLogger()
  const ingest = new Ingest({
    topic: 'sales.events.v1',
    send,
    maxInFlight: settings.maxInFlightEvents,
    dedupeCacheSize: settings.dedupeCacheSize,
    retryAfterMs: settings.retryAfterSec * 1000,
    clock: Date.now,
    logger,
  })
  const gateway = new Gateway({
    keyring: new Keyring({
      entries: settings.keys,
      defaultRatePerSec: settings.keyRatePerSec,
      burst: settings.keyBurst,
      clock: Date.now,
    }),
    ingest,
    settings: { ...settings, sendTimeoutMs: 2000 },
    metrics,
    logger,
    clock: Date.now,
  })
  gateway.tracker.set('RUNNING')
  const app = buildGatewayServer({
    gateway,
    logger,
    registry,
    metrics,
    maxBodyBytes: settings.maxBodyBytes,
    requestTimeoutMs: settings.requestTimeoutMs,
    clock: Date.now,
    guards: { adminToken: { verify: (token) => token === ADMIN } },
  })
  return { app, gateway }
}

const post = (app: ReturnType<typeof setup>['app'], body: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/v1/sales',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    payload: body,
  })

test('the gateway should answer 202 with the ids it handed to Kafka, the event bytes unchanged', async () => {
  const sent: BytesMessage[] = []
  const { app } = setup((messages) => {
    sent.push(...messages)
    return Promise.resolve()
  })
  const event = makeSaleLine()
  const res = await post(app, JSON.stringify([event]))
  assert.equal(res.statusCode, 202)
  assert.deepEqual(res.json<{ accepted: number; acceptedIds: string[] }>().acceptedIds, [event.event_id])
  assert.equal(sent.length, 1)
  assert.deepEqual(JSON.parse(String(sent[0]?.value)), event)
  assert.equal(String(sent[0]?.key), event.store_id)
})

test('every refusal of the gateway should carry its catalogued code and status, and write nothing', async () => {
  const sent: BytesMessage[] = []
  const { app, gateway } = setup((messages) => {
    sent.push(...messages)
    return Promise.resolve()
  })
  const cases: [string, Promise<{ statusCode: number; json: <T>() => T }>, number][] = [
    ['API_KEY_MISSING', post(app, '[]', { authorization: '' }), 401],
    ['API_KEY_UNKNOWN', post(app, '[]', { authorization: 'Bearer nope' }), 401],
    ['UNSUPPORTED_MEDIA_TYPE', post(app, 'x', { 'content-type': 'text/plain' }), 415],
    ['BODY_NOT_JSON', post(app, '{oops'), 400],
    ['BATCH_EMPTY', post(app, '[]'), 400],
    ['EVENTS_REJECTED', post(app, JSON.stringify([{ event_id: 'x' }])), 422],
  ]
  for (const [code, pending, status] of cases) {
    const res = await pending
    assert.equal(res.statusCode, status, code)
    assert.equal(res.json<{ code: string }>().code, code)
  }
  gateway.pause('test')
  const paused = await post(app, JSON.stringify([makeSaleLine()]))
  assert.equal(paused.statusCode, 503)
  assert.equal(paused.json<{ code: string }>().code, 'GATEWAY_PAUSED')
  assert.ok(Number(paused.headers['retry-after']) >= 1)
  const missing = await app.inject({ method: 'GET', url: '/v2/sales' })
  assert.equal(missing.statusCode, 404)
  assert.equal(missing.json<{ code: string }>().code, 'NOT_FOUND')
  assert.equal(sent.length, 0)
})

test('the gateway should answer 503 KAFKA_UNAVAILABLE with Retry-After when Kafka refuses, and its status keep its contract', async () => {
  const { app } = setup(() => Promise.reject(new Error('broker down')))
  const res = await post(app, JSON.stringify([makeSaleLine()]))
  assert.equal(res.statusCode, 503)
  assert.equal(res.json<{ code: string }>().code, 'KAFKA_UNAVAILABLE')
  assert.ok(res.headers['retry-after'])
  const status = await app.inject({ method: 'GET', url: '/status' })
  const parsed = parseDetails('gateway', status.json())
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem)
  assert.equal(parsed.details.kafkaAvailable, false)
})
