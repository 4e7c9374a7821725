import assert from 'node:assert/strict'
import { test } from 'node:test'
import { topicNames } from '../../src/platform/topics.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { getJson, postJson, startComponent, type RunningComponent } from '../support/components.ts'
import {
  PanelSession,
  startControl,
  startControlWithUsers,
  TEST_AGENT,
  withToken,
  type TestUsers,
} from '../support/control.ts'
import { makeSaleLine } from '../support/events.ts'
import { configFor, pipelineEnv, runCli, waitFor } from '../support/harness.ts'
import { messageCount } from '../support/kafka.ts'
import { useTestDatabase } from '../support/test-database.ts'

let env: Record<string, string>
let simulator: RunningComponent
let gateway: RunningComponent
let control: RunningComponent
let users: TestUsers
let usersFile: string
let controlEnv: Record<string, string>
const sessions: Partial<Record<'viewer' | 'operator' | 'admin', PanelSession>> = {}

const db = useTestDatabase({
  setUp: startComponents,
  teardown: () => Promise.all([control?.stop(), simulator?.stop(), gateway?.stop()]),
})

async function startComponents(): Promise<void> {
  ;({ env } = await pipelineEnv(db, {
    RATE_PER_SEC: '50',
    SIMULATOR_MAX_RATE_PER_SEC: '2000',
    SIMULATOR_SEED: 'control-api',
  }))
  ;[simulator, gateway] = await Promise.all([
    startComponent('simulator', env),
    startComponent('gateway', { ...env, GATEWAY_ALLOW_DEV_KEY: 'true' }),
  ])
  controlEnv = {
    ...env,
    SIMULATOR_URL: simulator.url,
    GATEWAY_URL: gateway.url,
    // no lander in this file: a port where nothing listens
    LANDER_URL: `http://127.0.0.1:${await findFreePort()}`,
    CONTROL_LOGIN_ATTEMPTS_PER_MINUTE: '20',
  }
  ;({ control, users, usersFile } = await startControlWithUsers(controlEnv))
  await signInAll()
}

async function signInAll(): Promise<void> {
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    sessions[role] = await PanelSession.signIn(control.url, users[role])
  }
}

const session = (role: 'viewer' | 'operator' | 'admin'): PanelSession => {
  const s = sessions[role]
  if (!s) throw new Error(`no ${role} session`)
  return s
}
interface Status {
  state: string
  details: { baseRatePerSec: number; actualRatePerSec: number; paused: boolean; inFlight: number }
}
const simulatorStatus = () => getJson<Status>(`${simulator.url}/status`)
const gatewayStatus = () => getJson<Status>(`${gateway.url}/status`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const topic = () => topicNames(configFor(env).kafka).salesEvents

async function auditRows(where = 'true', params: unknown[] = []) {
  const result = await db.pool('sretl_reader').query(
    `SELECT id, actor, role, action, target, host(source_ip) AS source_ip, user_agent, before, after, result, detail
       FROM audit_log WHERE ${where} ORDER BY id`,
    params,
  )
  return result.rows as Record<string, unknown>[]
}
const lastAudit = async () => (await auditRows()).at(-1)
const auditCount = async () => (await auditRows()).length

test('the API should refuse callers without a session or a known token', async () => {
  const anonymous = await fetch(`${control.url}/api/v1/overview`)
  assert.equal(anonymous.status, 401)
  assert.equal(((await anonymous.json()) as { code: string }).code, 'AUTH_REQUIRED')
  const wrong = await withToken(control.url, 'sretl_not-a-token').get('/api/v1/overview')
  assert.equal(wrong.status, 401)
  assert.equal(wrong.body.code, 'TOKEN_INVALID')
  const badLogin = await postJson(`${control.url}/api/v1/login`, { user: 'ada', password: 'wrong' })
  assert.equal(badLogin.status, 401)
  assert.equal(badLogin.body.code, 'LOGIN_FAILED')
  assert.deepEqual(
    {
      actor: (await lastAudit())?.actor,
      action: (await lastAudit())?.action,
      result: (await lastAudit())?.result,
    },
    { actor: 'ada', action: 'session.login', result: 'refused' },
  )
})

test('a viewer should see everything and change nothing', async () => {
  const viewer = session('viewer')
  const overview = await viewer.get('/api/v1/overview')
  assert.equal(overview.status, 200)
  const components = overview.body.components as { name: string; state: string }[]
  assert.deepEqual(
    components.map((c) => [c.name, c.state]),
    [
      ['simulator', 'RUNNING'],
      ['gateway', 'RUNNING'],
      ['lander', 'UNREACHABLE'],
    ],
  )
  assert.equal((await viewer.get('/api/v1/audit?limit=5')).status, 200)
  assert.equal((await viewer.get('/api/v1/dead-letters')).status, 200)
  const before = await auditCount()
  const pause = await viewer.post('/api/v1/components/simulator/pause', { reason: 'curious' })
  assert.equal(pause.status, 403)
  assert.equal(pause.body.code, 'ROLE_FORBIDDEN')
  const rate = await viewer.post('/api/v1/rate', { ratePerSec: 60 })
  assert.equal(rate.status, 403)
  const stop = await viewer.post('/api/v1/intake/stop')
  assert.equal(stop.status, 403)
  assert.equal((await simulatorStatus()).state, 'RUNNING')
  assert.equal((await simulatorStatus()).details.baseRatePerSec, 50)
  assert.equal((await gatewayStatus()).state, 'RUNNING')
  const rows = (await auditRows()).slice(before)
  assert.deepEqual(
    rows.map((r) => [r.actor, r.role, r.action, r.target, r.result, (r.detail as { code: string }).code]),
    [
      ['vera', 'viewer', 'pause', 'simulator', 'refused', 'ROLE_FORBIDDEN'],
      ['vera', 'viewer', 'rate.set', 'simulator', 'refused', 'ROLE_FORBIDDEN'],
      ['vera', 'viewer', 'intake.stop', 'simulator,gateway', 'refused', 'ROLE_FORBIDDEN'],
    ],
  )
})

test('a change through a session without its CSRF token, or from another origin, should be refused and change nothing', async () => {
  const operator = session('operator')
  const before = await auditCount()
  const missing = await operator.post('/api/v1/components/simulator/pause', {}, { csrf: false })
  assert.equal(missing.status, 403)
  assert.equal(missing.body.code, 'CSRF_TOKEN_INVALID')
  const crossSite = await fetch(`${control.url}/api/v1/components/simulator/pause`, {
    method: 'POST',
    headers: {
      cookie: operator.cookie,
      'x-csrf-token': operator.csrfToken,
      origin: 'https://evil.example',
      'content-type': 'application/json',
    },
    body: '{}',
  })
  assert.equal(crossSite.status, 403)
  const forged = await operator.send('PUT', '/api/v1/limits', { rateCapPerSec: 5 }, { csrf: false })
  assert.equal(forged.status, 403)
  assert.equal((await simulatorStatus()).state, 'RUNNING')
  assert.equal(await auditCount(), before, 'refused before reaching a command: nothing to audit')
})

test('pausing and resuming the simulator should stop and restart its production, idempotently, each audited exactly', async () => {
  const operator = session('operator')
  await waitFor(async () => (await messageCount(configFor(env).kafka, topic())) > 20, {
    message: 'the simulator produces',
  })
  const paused = await operator.post('/api/v1/components/simulator/pause', { reason: 'it: quiet please' })
  assert.equal(paused.status, 200, JSON.stringify(paused.body))
  assert.equal(paused.body.changed, true)
  assert.equal((await simulatorStatus()).state, 'PAUSED')
  const audit = await lastAudit()
  const commandId = (audit?.detail as { commandId?: string } | undefined)?.commandId
  assert.match(commandId ?? '', /^[0-9a-f-]{36}$/, 'the audit row keeps the id the command was sent with')
  assert.deepEqual(
    { ...audit, id: undefined },
    {
      id: undefined,
      actor: 'otto',
      role: 'operator',
      action: 'pause',
      target: 'simulator',
      source_ip: '127.0.0.1',
      user_agent: TEST_AGENT,
      before: { state: 'RUNNING', paused: false },
      after: { state: 'PAUSED', paused: true },
      result: 'ok',
      detail: { reason: 'it: quiet please', changed: true, commandId },
    },
  )
  assert.equal(paused.body.auditId, Number(audit?.id))
  await waitFor(async () => (await simulatorStatus()).details.inFlight === 0)
  const atPause = await messageCount(configFor(env).kafka, topic())
  await sleep(1500)
  assert.equal(await messageCount(configFor(env).kafka, topic()), atPause, 'nothing produced while paused')

  const again = await operator.post('/api/v1/components/simulator/pause', { reason: 'again' })
  assert.equal(again.status, 200)
  assert.equal(again.body.changed, false)
  assert.deepEqual((await lastAudit())?.before, { state: 'PAUSED', paused: true })
  assert.deepEqual((await lastAudit())?.after, { state: 'PAUSED', paused: true })

  const resumed = await operator.post('/api/v1/components/simulator/resume')
  assert.equal(resumed.status, 200)
  assert.equal((await simulatorStatus()).state, 'RUNNING')
  await waitFor(async () => (await messageCount(configFor(env).kafka, topic())) > atPause + 20, {
    message: 'production restarts after resume',
  })
  const unknown = await operator.post('/api/v1/components/kafka/pause')
  assert.equal(unknown.status, 404)
  assert.equal(unknown.body.code, 'UNKNOWN_COMPONENT')
})

test('a gateway paused through the API with a bearer token should answer 503, and 202 after resume', async () => {
  const operator = withToken(control.url, users.operator.token)
  const send = () =>
    postJson(`${gateway.url}/v1/sales`, makeSaleLine(), { authorization: 'Bearer sretl-dev-key' })
  assert.equal((await send()).status, 202)
  const paused = await operator.post('/api/v1/components/gateway/pause', {
    reason: 'it: database maintenance',
  })
  assert.equal(paused.status, 200)
  const refused = await send()
  assert.equal(refused.status, 503)
  assert.equal(refused.body.code, 'GATEWAY_PAUSED')
  assert.match(String(refused.body.reason), /it: database maintenance/)
  assert.equal((await operator.post('/api/v1/components/gateway/resume')).status, 200)
  assert.equal((await send()).status, 202)
  const rows = (await auditRows("target = 'gateway'")).map((r) => [r.actor, r.action, r.result])
  assert.deepEqual(rows, [
    ['otto', 'pause', 'ok'],
    ['otto', 'resume', 'ok'],
  ])
})

test('rate changes should follow the safe limits: applied and measured, above the cap refused, a big jump confirmed', async () => {
  const operator = session('operator')
  const admin = session('admin')
  const set = await operator.post('/api/v1/rate', { ratePerSec: 150 })
  assert.equal(set.status, 200, JSON.stringify(set.body))
  assert.deepEqual([set.body.before, set.body.after], [{ ratePerSec: 50 }, { ratePerSec: 150 }])
  await waitFor(
    async () => {
      const actual = (await simulatorStatus()).details.actualRatePerSec
      return actual > 120 && actual < 180
    },
    { message: 'the simulator’s measured rate follows to about 150/s' },
  )

  const aboveCap = await operator.post('/api/v1/rate', { ratePerSec: 5000, confirm: true })
  assert.equal(aboveCap.status, 422)
  assert.equal(aboveCap.body.code, 'RATE_ABOVE_CAP')
  assert.match(String(aboveCap.body.message), /5,000 events\/s is above the safe cap of 2,000 events\/s/)
  const jump = await operator.post('/api/v1/rate', { ratePerSec: 1500 })
  assert.equal(jump.status, 409)
  assert.equal(jump.body.code, 'CONFIRMATION_REQUIRED')
  assert.deepEqual(jump.body.confirm, { ratePerSec: 1500, confirm: true })
  assert.equal((await simulatorStatus()).details.baseRatePerSec, 150, 'refusals change nothing')
  const confirmed = await operator.post('/api/v1/rate', { ratePerSec: 1500, confirm: true })
  assert.equal(confirmed.status, 200)
  assert.equal((await simulatorStatus()).details.baseRatePerSec, 1500)

  const operatorCap = await operator.send('PUT', '/api/v1/limits', { rateCapPerSec: 100 })
  assert.equal(operatorCap.status, 403)
  const tooHigh = await admin.send('PUT', '/api/v1/limits', { rateCapPerSec: 3000 })
  assert.equal(tooHigh.status, 400, 'LIMIT_INVALID is 400 wherever it is refused (ADR 0056)')
  assert.equal(tooHigh.body.code, 'LIMIT_INVALID')
  const cap = await admin.send('PUT', '/api/v1/limits', { rateCapPerSec: 1000 })
  assert.equal(cap.status, 200)
  const overNewCap = await operator.post('/api/v1/rate', { ratePerSec: 1200, confirm: true })
  assert.equal(overNewCap.status, 422)
  assert.match(String(overNewCap.body.message), /above the safe cap of 1,000 events\/s \(set by ada/)
  assert.equal(
    (await simulatorStatus()).details.baseRatePerSec,
    1500,
    'the cap does not move the current rate',
  )
  const down = await operator.post('/api/v1/rate', { ratePerSec: 50 })
  assert.equal(down.status, 200, 'lowering never needs a confirmation')
  const same = await operator.post('/api/v1/rate', { ratePerSec: 50 })
  assert.equal(same.body.changed, false)

  const rows = await auditRows("action IN ('rate.set', 'limits.set') AND role <> 'viewer'")
  assert.deepEqual(
    rows.map((r) => [r.actor, r.action, r.result, JSON.stringify(r.before), JSON.stringify(r.after)]),
    [
      ['otto', 'rate.set', 'ok', '{"ratePerSec":50}', '{"ratePerSec":150}'],
      ['otto', 'rate.set', 'refused', '{"ratePerSec":150}', 'null'],
      ['otto', 'rate.set', 'refused', '{"ratePerSec":150}', 'null'],
      ['otto', 'rate.set', 'ok', '{"ratePerSec":150}', '{"ratePerSec":1500}'],
      ['otto', 'limits.set', 'refused', '{"rateCapPerSec":null}', 'null'],
      ['ada', 'limits.set', 'refused', '{"rateCapPerSec":null}', 'null'],
      ['ada', 'limits.set', 'ok', '{"rateCapPerSec":null}', '{"rateCapPerSec":1000}'],
      ['otto', 'rate.set', 'refused', '{"ratePerSec":1500}', 'null'],
      ['otto', 'rate.set', 'ok', '{"ratePerSec":1500}', '{"ratePerSec":50}'],
      ['otto', 'rate.set', 'ok', '{"ratePerSec":50}', '{"ratePerSec":50}'],
    ],
  )
  assert.deepEqual(
    rows.filter((r) => r.result === 'refused').map((r) => (r.detail as { code: string }).code),
    ['RATE_ABOVE_CAP', 'CONFIRMATION_REQUIRED', 'ROLE_FORBIDDEN', 'LIMIT_INVALID', 'RATE_ABOVE_CAP'],
  )

  // the cap is kept across a restart of the control service (read back from audit_log)
  await control.stop()
  control = await startControl(controlEnv, usersFile)
  const limits = await withToken(control.url, users.viewer.token).get('/api/v1/limits')
  assert.equal(limits.body.rateCapPerSec, 1000)
  assert.equal(limits.body.rateCapSetBy, 'ada')
  await signInAll()
})

test('the emergency stop should pause the simulator and the gateway together, and resume them', async () => {
  const operator = session('operator')
  const stop = await operator.post('/api/v1/intake/stop', { reason: 'it: bad prices' })
  assert.equal(stop.status, 200, JSON.stringify(stop.body))
  assert.equal((await simulatorStatus()).state, 'PAUSED')
  assert.equal((await gatewayStatus()).state, 'PAUSED')
  const again = await operator.post('/api/v1/intake/stop', { reason: 'it: bad prices' })
  assert.equal(again.status, 200, 'idempotent')
  const audit = await lastAudit()
  assert.deepEqual([audit?.action, audit?.target, audit?.result], ['intake.stop', 'simulator,gateway', 'ok'])
  assert.deepEqual(audit?.after, {
    simulator: { state: 'PAUSED', paused: true },
    gateway: { state: 'PAUSED', paused: true },
  })
  const overview = await operator.get('/api/v1/overview')
  assert.match(
    String((overview.body.health as { headline: string }).headline),
    /All intake is stopped|not answering/,
  )
  assert.equal((await operator.post('/api/v1/intake/resume')).status, 200)
  assert.equal((await simulatorStatus()).state, 'RUNNING')
  assert.equal((await gatewayStatus()).state, 'RUNNING')
})

test('the CLI mirrors should call the control API with a token and print plain answers', async () => {
  const cli = { ...env, CONTROL_URL: control.url, SRETL_TOKEN: users.operator.token }
  const paused = await runCli(['pause', 'simulator', '--reason', 'it: cli'], cli)
  assert.equal(paused.code, 0, paused.stderr)
  assert.match(paused.stdout, /simulator: PAUSED \(it: cli\)/)
  assert.deepEqual([(await lastAudit())?.actor, (await lastAudit())?.action], ['otto', 'pause'])
  const resumed = await runCli(['resume', 'simulator'], cli)
  assert.equal(resumed.code, 0, resumed.stderr)
  const jump = await runCli(['rate', '900'], cli)
  assert.equal(jump.code, 1)
  assert.match(jump.stderr, /--confirm.*\[CONFIRMATION_REQUIRED\]/)
  assert.equal((await simulatorStatus()).details.baseRatePerSec, 50)
  const shown = await runCli(['rate'], cli)
  assert.match(shown.stdout, /simulator rate 50 events\/s/)
  const stop = await runCli(['stop-intake', '--reason', 'it: cli stop'], cli)
  assert.match(stop.stdout, /Intake stopped: simulator PAUSED, gateway PAUSED/)
  assert.equal((await runCli(['resume-intake'], cli)).code, 0)
  const audit = await runCli(['audit', '-n', '5'], cli)
  assert.equal(audit.code, 0, audit.stderr)
  assert.match(audit.stdout, /otto \(operator\) +intake\.resume +simulator,gateway +ok/)
  const viewer = await runCli(['pause', 'gateway'], { ...cli, SRETL_TOKEN: users.viewer.token })
  assert.equal(viewer.code, 1)
  assert.match(viewer.stderr, /\[ROLE_FORBIDDEN\]/)
  assert.equal((await gatewayStatus()).state, 'RUNNING')
})

test('sretl audit should show a pause’s reason in its before → after / why column, read through the control service', async () => {
  const cli = { ...env, CONTROL_URL: control.url, SRETL_TOKEN: users.operator.token }
  const reason = 'it: reindex of sales_raw'
  const paused = await runCli(['pause', 'simulator', '--reason', reason], cli)
  assert.equal(paused.code, 0, paused.stderr)
  try {
    const api = await session('viewer').get('/api/v1/audit?action=pause&limit=1')
    assert.equal(api.status, 200)
    const [top] = (api.body as { rows: { detail: { reason?: string }; after: { state?: string } }[] }).rows
    assert.equal(top?.detail.reason, reason)
    assert.equal(top?.after.state, 'PAUSED')
    const audit = await runCli(['audit', '-n', '1', '--action', 'pause'], cli)
    assert.equal(audit.code, 0, audit.stderr)
    assert.match(
      audit.stdout,
      /otto \(operator\) +pause +simulator +ok +RUNNING → PAUSED \(why: it: reindex of sales_raw\)/,
    )
  } finally {
    assert.equal((await runCli(['resume', 'simulator', '--reason', 'it: reindex done'], cli)).code, 0)
  }
  const resumed = await runCli(['audit', '-n', '1', '--action', 'resume'], cli)
  assert.match(resumed.stdout, /PAUSED → RUNNING \(why: it: reindex done\)/)
})

test('sign-in should be rate limited: after too many attempts even the right password waits', async () => {
  // all at once, the right password a moment after the guesses: each attempt takes its token when
  // it arrives, before the password is hashed — and scrypt at N=2^17 can take seconds a hash on a
  // loaded machine, longer than the bucket needs to refill, so sequential guesses never drain it
  const guessing = Promise.all(
    Array.from({ length: 25 }, (_, i) =>
      postJson(`${control.url}/api/v1/login`, { user: 'ada', password: `guess-${i}` }),
    ),
  )
  await sleep(300)
  const [guesses, right] = await Promise.all([
    guessing,
    postJson(`${control.url}/api/v1/login`, { user: 'ada', password: users.admin.password }),
  ])
  assert.ok(
    guesses.some((g) => g.status === 429),
    guesses.map((g) => g.status).join(','),
  )
  assert.equal(right.status, 429)
  assert.equal(right.body.code, 'LOGIN_RATE_LIMITED')
  assert.ok(Number(right.headers.get('retry-after')) >= 1)
  const metrics = await (await fetch(`${control.url}/metrics`)).text()
  assert.match(metrics, /sretl_control_logins_total\{result="limited"[^}]*\} [1-9]/)
  assert.match(metrics, /sretl_control_commands_total\{command="pause",result="ok"[^}]*\} [1-9]/)
  assert.match(metrics, /sretl_control_component_up\{target="simulator"[^}]*\} 1/)
  assert.match(metrics, /sretl_control_component_up\{target="lander"[^}]*\} 0/)
})
