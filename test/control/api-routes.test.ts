/**
 * The control API's command routes in-process (Fastify inject): the real commander, replayer and
 * auth, with components and Kafka stood in for and the audit trail in memory, so the answers —
 * status, `{ result, code, message }` — are checked in milliseconds. The same routes against the
 * real components and PostgreSQL: test/integration/control-api.test.ts.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { AuditEntry, AuditLog } from '../../src/control/audit.ts'
import { LoginLimiter } from '../../src/control/auth/login-limiter.ts'
import { SessionStore } from '../../src/control/auth/sessions.ts'
import { hashToken, parseUsers, UserDirectory } from '../../src/control/auth/users.ts'
import { createCommander } from '../../src/control/commands/commander.ts'
import { RateCap } from '../../src/control/commands/limits.ts'
import type { ComponentAnswer, ComponentClient } from '../../src/control/component-client.ts'
import { DlqIndex } from '../../src/control/dead-letters/held-index.ts'
import { createReplayer } from '../../src/control/dead-letters/replay.ts'
import { createControlMetrics } from '../../src/control/metrics.ts'
import { buildControlServer } from '../../src/control/server.ts'
import type { LiveStreams } from '../../src/control/stream.ts'
import { StateTracker, type ComponentStatus } from '../../src/platform/component-server.ts'
import type { ComponentName } from '../../src/platform/control-targets.ts'
import { SretlError } from '../../src/platform/errors.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'
import { DLQ_HEADERS } from '../../src/platform/topics.ts'
import { detailsOf } from '../support/status-details.ts'

const TOKENS = { viewer: 'sretl_vera-token', operator: 'sretl_otto-token', admin: 'sretl_ada-token' }

type Answer = { status: number; body: Record<string, unknown> }
type Refusal = { status: number; body: Record<string, unknown> }

/** Components in memory: a pause sets PAUSED; `refuse` makes the next command answer that instead. */
function fakeComponents() {
  const states = new Map<string, { state: 'RUNNING' | 'PAUSED'; details: Record<string, unknown> }>(
    ['simulator', 'gateway', 'lander'].map((n) => [n, { state: 'RUNNING', details: detailsOf(n) }]),
  )
  const down = new Set<string>()
  let refusal: Refusal | undefined
  const status = (name: string): ComponentStatus => {
    const s = states.get(name)
    if (!s || down.has(name)) throw new SretlError('COMPONENT_UNREACHABLE', `the ${name} does not answer`)
    const at = '2026-12-05T12:00:00.000Z'
    return {
      component: name,
      instance: `${name}:1`,
      state: s.state,
      since: at,
      heartbeatAt: at,
      details: s.details,
    }
  }
  const client: ComponentClient = {
    urls: {} as ComponentClient['urls'],
    issued: () => false,
    status: (name) => Promise.resolve().then(() => status(name)),
    metrics: () => Promise.resolve(''),
    post: (name: ComponentName, path: string, body: unknown) =>
      Promise.resolve().then((): ComponentAnswer<Record<string, unknown>> => {
        status(name)
        if (refusal) {
          const r = refusal
          refusal = undefined
          return r
        }
        const s = states.get(name)!
        if (path === '/pause') s.state = 'PAUSED'
        if (path === '/resume') s.state = 'RUNNING'
        if (path === '/rate')
          s.details = { ...s.details, baseRatePerSec: (body as { ratePerSec: number }).ratePerSec }
        return { status: 200, body: status(name) as unknown as Record<string, unknown>, commandId: 'c-1' }
      }),
  }
  return {
    client,
    down,
    refuseNext: (r: Refusal) => void (refusal = r),
  }
}

function setup() {
  const components = fakeComponents()
  const rows: AuditEntry[] = []
  const audit = {
    write: (entry: AuditEntry) => Promise.resolve(rows.push(entry)),
    list: () => Promise.resolve([]),
  } as unknown as AuditLog
  const registry = createMetricsRegistry({ component: 'control', processMetrics: false })
  const metrics = createControlMetrics(registry, ['simulator', 'gateway', 'lander'])
  const commander = createCommander({
    client: components.client,
    audit,
    rateCap: new RateCap(null),
    rateSettings: { defaultCapPerSec: null, confirmFactor: 4, confirmMinStep: 100 },
    logger: silentLogger(),
    metrics: metrics.commandMetrics,
    clock: () => new Date('2026-12-05T12:00:00Z'),
  })
  const index = new DlqIndex({ maxRecords: 100, maxBytes: 1_000_000 })
  let kafkaDown = false
  const replayer = createReplayer({
    index,
    send: () => (kafkaDown ? Promise.reject(new Error('no broker answered')) : Promise.resolve()),
    topic: 'sales.events.v1',
    dlqTopic: 'sales.events.dlq.v1',
    settings: { ratePerSec: 1000, maxPerRequest: 100, maxReplays: 3 },
    commander,
    clock: () => Date.parse('2026-12-05T12:00:00Z'),
    replayed: new Set(),
  })
  const users = Object.entries(TOKENS)
    .map(([role, token]) => `${role}-user:${role}:${hashToken(token)}`)
    .join('\n')
  const tracker = new StateTracker()
  tracker.set('RUNNING')
  const app = buildControlServer({
    logger: silentLogger(),
    registry,
    tracker,
    details: () => ({}),
    guards: { adminToken: { verify: () => false } },
    auth: {
      directory: new UserDirectory(parseUsers(`${users}\n`)),
      sessions: new SessionStore({ idleMs: 60_000, maxAgeMs: 3_600_000, max: 10 }, Date.now),
      limiter: new LoginLimiter({ perMinute: 10_000, clock: Date.now }),
      audit,
      metrics,
      logger: silentLogger(),
      secureCookie: 'never',
      refuseRole: (actor, command, needed) => commander.refuseRole(actor, command, needed),
    },
    api: {
      poller: { refresh: () => Promise.resolve() },
      commander,
      audit,
      streams: {} as LiveStreams,
    } as never,
    dlq: {
      index,
      reader: {},
      replayer,
      topic: 'sales.events.dlq.v1',
      settings: { maxPerRequest: 100, ratePerSec: 1000, maxReplays: 3 },
    } as never,
  })
  const holdDeadLetter = (offset: bigint, headers: [string, string][] = []) =>
    index.add({
      partition: 0,
      offset,
      timestamp: 0,
      key: Buffer.from('k'),
      value: Buffer.from('{}'),
      headers: [[DLQ_HEADERS.code, 'EVENT_SCHEMA_INVALID'], ...headers],
    })
  return {
    app,
    rows,
    components,
    holdDeadLetter,
    kafkaDown: () => void (kafkaDown = true),
  }
}

async function call(
  app: FastifyInstance,
  method: 'POST' | 'PUT',
  url: string,
  role: keyof typeof TOKENS | undefined,
  payload: unknown = {},
): Promise<Answer> {
  const res = await app.inject({
    method,
    url,
    headers: role ? { authorization: `Bearer ${TOKENS[role]}` } : {},
    payload: payload as Record<string, unknown>,
  })
  return { status: res.statusCode, body: res.json() }
}

/** The answer's status and the body's result and code, for one-line assertions. */
const shape = (a: Answer) => [a.status, a.body.result, a.body.code]

test('a pause should answer 200 ok and be audited; a repeat changes nothing', async () => {
  const { app, rows } = setup()
  const first = await call(app, 'POST', '/api/v1/components/simulator/pause', 'operator', { reason: 'r' })
  assert.deepEqual(shape(first), [200, 'ok', undefined])
  assert.equal(first.body.changed, true)
  assert.deepEqual(first.body.after, { state: 'PAUSED', paused: true })
  assert.equal(first.body.audited, true)
  const again = await call(app, 'POST', '/api/v1/components/simulator/pause', 'operator')
  assert.deepEqual([again.status, again.body.changed], [200, false])
  assert.deepEqual(
    rows.map((r) => [r.action, r.result]),
    [
      ['pause', 'ok'],
      ['pause', 'ok'],
    ],
  )
  await app.close()
})

test('command routes should answer 401 without credentials and 403 ROLE_FORBIDDEN, audited, for a role that may not', async () => {
  const { app, rows } = setup()
  const anonymous = await call(app, 'POST', '/api/v1/components/simulator/pause', undefined)
  assert.deepEqual([anonymous.status, anonymous.body.code], [401, 'AUTH_REQUIRED'])
  assert.equal(typeof anonymous.body.message, 'string')
  const viewer = await call(app, 'POST', '/api/v1/components/simulator/pause', 'viewer')
  assert.deepEqual(shape(viewer), [403, 'refused', 'ROLE_FORBIDDEN'])
  assert.match(String(viewer.body.message), /needs the operator role/)
  const operatorCap = await call(app, 'PUT', '/api/v1/limits', 'operator', { rateCapPerSec: 10 })
  assert.deepEqual(shape(operatorCap), [403, 'refused', 'ROLE_FORBIDDEN'])
  const viewerReplay = await call(app, 'POST', '/api/v1/dead-letters/replay', 'viewer', { reason: 'X' })
  assert.deepEqual(shape(viewerReplay), [403, 'refused', 'ROLE_FORBIDDEN'])
  assert.deepEqual(
    rows.map((r) => [r.action, r.target, r.result]),
    [
      ['pause', 'simulator', 'refused'],
      ['limits.set', 'simulator.rate', 'refused'],
      ['dlq.replay', 'sales.events.v1', 'refused'],
    ],
  )
  await app.close()
})

test('refused commands should answer their code’s catalogue status with { result, code, message }', async () => {
  const { app, components } = setup()
  const unknown = await call(app, 'POST', '/api/v1/components/kafka/pause', 'operator')
  assert.deepEqual(shape(unknown), [404, 'refused', 'UNKNOWN_COMPONENT'])
  const invalid = await call(app, 'POST', '/api/v1/rate', 'operator', { ratePerSec: -1 })
  assert.deepEqual(shape(invalid), [400, 'refused', 'RATE_INVALID'])
  const aboveCap = await call(app, 'POST', '/api/v1/rate', 'operator', { ratePerSec: 6000, confirm: true })
  assert.deepEqual(shape(aboveCap), [422, 'refused', 'RATE_ABOVE_CAP'])
  assert.equal(aboveCap.body.capPerSec, 5000)
  const jump = await call(app, 'POST', '/api/v1/rate', 'operator', { ratePerSec: 1000 })
  assert.deepEqual(shape(jump), [409, 'refused', 'CONFIRMATION_REQUIRED'])
  assert.deepEqual(jump.body.confirm, { ratePerSec: 1000, confirm: true })
  const badCap = await call(app, 'PUT', '/api/v1/limits', 'admin', { rateCapPerSec: 'fast' })
  assert.deepEqual(shape(badCap), [400, 'refused', 'LIMIT_INVALID'])
  const capAboveSimulator = await call(app, 'PUT', '/api/v1/limits', 'admin', { rateCapPerSec: 9000 })
  assert.deepEqual(
    shape(capAboveSimulator),
    [400, 'refused', 'LIMIT_INVALID'],
    'the same code, the same status',
  )
  assert.equal(capAboveSimulator.body.hardCapPerSec, 5000)

  components.refuseNext({ status: 404, body: { code: 'NOT_PAUSABLE', message: 'no flow to pause' } })
  const notPausable = await call(app, 'POST', '/api/v1/components/lander/pause', 'operator')
  assert.deepEqual(shape(notPausable), [404, 'refused', 'NOT_PAUSABLE'])
  assert.equal(notPausable.body.message, 'no flow to pause')
  components.refuseNext({ status: 404, body: { code: 'NOT_FOUND', message: 'no route POST /pause' } })
  const noRoute = await call(app, 'POST', '/api/v1/components/gateway/pause', 'operator')
  assert.deepEqual(shape(noRoute), [409, 'refused', 'COMPONENT_REFUSED'])
  await app.close()
})

test('failed commands should answer their code’s status: a component that does not answer is 502', async () => {
  const { app, components, rows } = setup()
  components.down.add('simulator')
  const rate = await call(app, 'POST', '/api/v1/rate', 'operator', { ratePerSec: 50 })
  assert.deepEqual(shape(rate), [502, 'failed', 'COMPONENT_UNREACHABLE'])
  assert.match(String(rate.body.message), /simulator does not answer/)
  const stop = await call(app, 'POST', '/api/v1/intake/stop', 'operator', { reason: 'incident' })
  assert.deepEqual(shape(stop), [502, 'failed', 'COMPONENT_UNREACHABLE'])
  assert.match(String(stop.body.message), /stopping intake failed for simulator .*; the others were paused/)
  assert.equal((stop.body.targets as unknown[]).length, 2)
  assert.deepEqual(
    rows.map((r) => r.result),
    ['failed', 'failed'],
  )
  await app.close()
})

test('replays should answer 200 ok, 404 DEAD_LETTER_NOT_FOUND, 409 REPLAY_REFUSED and 503 KAFKA_UNAVAILABLE', async () => {
  const { app, holdDeadLetter, kafkaDown } = setup()
  holdDeadLetter(1n)
  holdDeadLetter(2n, [['replay.count', '3']])
  holdDeadLetter(3n)
  const one = await call(app, 'POST', '/api/v1/dead-letters/replay', 'operator', {
    partition: 0,
    offset: '1',
  })
  assert.deepEqual(shape(one), [200, 'ok', undefined])
  assert.equal(one.body.replayed, 1)
  const again = await call(app, 'POST', '/api/v1/dead-letters/replay', 'operator', {
    partition: 0,
    offset: '1',
  })
  assert.deepEqual([again.status, again.body.replayed], [200, 0])
  const missing = await call(app, 'POST', '/api/v1/dead-letters/replay', 'operator', {
    partition: 0,
    offset: '9',
  })
  assert.deepEqual(shape(missing), [404, 'refused', 'DEAD_LETTER_NOT_FOUND'])
  const loop = await call(app, 'POST', '/api/v1/dead-letters/replay', 'operator', {
    partition: 0,
    offset: '2',
  })
  assert.deepEqual(shape(loop), [409, 'refused', 'REPLAY_REFUSED'])
  assert.match(String(loop.body.message), /replayed 3 times already/)
  kafkaDown()
  const broken = await call(app, 'POST', '/api/v1/dead-letters/replay', 'operator', {
    partition: 0,
    offset: '3',
  })
  assert.deepEqual(shape(broken), [503, 'failed', 'KAFKA_UNAVAILABLE'])
  assert.match(String(broken.body.message), /replay stopped after 0 of 1: no broker answered/)
  const bad = await call(app, 'POST', '/api/v1/dead-letters/replay', 'operator', { partition: -1 })
  assert.deepEqual([bad.status, bad.body.code], [400, 'REQUEST_INVALID'])
  await app.close()
})
