/**
 * The attacker suite, real processes: the simulator and the control service as `sretl run`
 * children against the run's Kafka and a test database. The second probe (an
 * unauthenticated POST /rate) is refused; the control service commands with the token, keeps
 * doing so after `sretl rotate-secrets`, and a command given directly with the token is audited.
 */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { findFreePort } from '../../src/stack/ports.ts'
import {
  adminTokenOf,
  getJson,
  postJson,
  startComponent,
  type RunningComponent,
} from '../support/components.ts'
import { startControlWithUsers, withToken, type TestUsers } from '../support/control.ts'
import { pipelineEnv, runCli, waitFor } from '../support/harness.ts'
import { useTestDatabase } from '../support/test-database.ts'

let env: Record<string, string>
let simulator: RunningComponent
let control: RunningComponent
let users: TestUsers

const db = useTestDatabase({
  setUp: async () => {
    ;({ env } = await pipelineEnv(db, {
      RATE_PER_SEC: '20',
      SIMULATOR_MAX_RATE_PER_SEC: '2000',
      SIMULATOR_SEED: 'security',
    }))
    simulator = await startComponent('simulator', env)
    ;({ control, users } = await startControlWithUsers({
      ...env,
      SIMULATOR_URL: simulator.url,
      GATEWAY_URL: `http://127.0.0.1:${await findFreePort()}`,
      LANDER_URL: `http://127.0.0.1:${await findFreePort()}`,
    }))
  },
  teardown: () => Promise.all([control?.stop(), simulator?.stop()]),
})

interface Status {
  state: string
  details: { baseRatePerSec: number }
}
const simulatorStatus = () => getJson<Status>(`${simulator.url}/status`)
const tokenFile = () => join(env.SRETL_HOME ?? '', 'secrets', 'component-admin-token')
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function auditRows(where: string, params: unknown[] = []) {
  const result = await db
    .pool('sretl_reader')
    .query(
      `SELECT actor, role, action, target, result, detail FROM audit_log WHERE ${where} ORDER BY id`,
      params,
    )
  return result.rows as {
    actor: string
    role: string
    action: string
    target: string
    detail: Record<string, unknown>
  }[]
}

test('the token file should be made on first run, 0600 in a 0700 directory', () => {
  assert.equal(statSync(tokenFile()).mode & 0o777, 0o600)
  assert.equal(statSync(join(env.SRETL_HOME ?? '', 'secrets')).mode & 0o777, 0o700)
  assert.match(readFileSync(tokenFile(), 'utf8'), /^sretl_admin_[A-Za-z0-9_-]{43}\n$/)
})

test('/status of the simulator and the control service should name no file path', async () => {
  for (const url of [simulator.url, control.url]) {
    const text = await (await fetch(`${url}/status`)).text()
    assert.ok(!text.includes(env.SRETL_HOME ?? '/'), `${url}/status names no path under SRETL_HOME`)
    assert.doesNotMatch(text, /"\/(tmp|home|var|etc)\//)
  }
})

test('an unauthenticated POST /rate to the simulator (the issue’s probe) should be refused and change nothing', async () => {
  const before = (await simulatorStatus()).details.baseRatePerSec
  const anonymous = await postJson(`${simulator.url}/rate`, { ratePerSec: 150 })
  assert.equal(anonymous.status, 401)
  assert.equal(anonymous.body.code, 'ADMIN_TOKEN_INVALID')
  const plain = await fetch(`${simulator.url}/rate`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...bearer(adminTokenOf(env)) },
    body: '{"ratePerSec":150}',
  })
  assert.equal(plain.status, 415)
  const pause = await postJson(
    `${simulator.url}/pause`,
    {},
    { origin: 'https://evil.example', ...bearer(adminTokenOf(env)) },
  )
  assert.equal(pause.status, 403)
  const after = await simulatorStatus()
  assert.equal(after.details.baseRatePerSec, before)
  assert.equal(after.state, 'RUNNING')
})

test('the control service should keep commanding the simulator across sretl rotate-secrets, and the old token should stop working', async () => {
  const operator = withToken(control.url, users.operator.token)
  const old = adminTokenOf(env)
  assert.equal(
    (await operator.post('/api/v1/components/simulator/pause', { reason: 'before rotation' })).status,
    200,
  )

  const rotated = await runCli(['rotate-secrets'], env)
  assert.equal(rotated.code, 0, rotated.stderr)
  assert.match(rotated.stdout, /component-admin-token: new token written/)
  const fresh = adminTokenOf(env)
  assert.notEqual(fresh, old)
  assert.equal(statSync(tokenFile()).mode & 0o777, 0o600)

  // the control service still holds the old token: refused once, it re-reads the file and retries
  const resumed = await operator.post('/api/v1/components/simulator/resume', { reason: 'after rotation' })
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body))
  assert.equal((await simulatorStatus()).state, 'RUNNING')
  const withOld = await postJson(`${simulator.url}/pause`, {}, bearer(old))
  assert.equal(withOld.status, 401)
  assert.equal((await simulatorStatus()).state, 'RUNNING')
})

test('a command given to a component directly with the token should be audited once by the control service', async () => {
  const commandId = '0193b3c4-1111-7000-8000-00000000beef'
  const direct = await postJson(
    `${simulator.url}/rate`,
    { ratePerSec: 35 },
    { ...bearer(adminTokenOf(env)), 'x-sretl-command-id': commandId, 'user-agent': 'curl/8.0' },
  )
  assert.equal(direct.status, 200)
  const rows = await waitFor(
    async () => {
      const found = await auditRows(`detail->>'commandId' = $1`, [commandId])
      return found.length > 0 ? found : undefined
    },
    { timeoutMs: 15_000, message: 'the direct command audited' },
  )
  assert.deepEqual(
    rows.map((r) => [
      r.actor,
      r.role,
      r.action,
      r.target,
      r.detail.via,
      (r.detail.request as { ratePerSec: number }).ratePerSec,
    ]),
    [['component-admin-token', 'component-admin', 'rate.set', 'simulator', 'direct', 35]],
  )
  // the control service's own commands are not audited a second time as direct ones
  const own = await withToken(control.url, users.operator.token).post('/api/v1/rate', { ratePerSec: 30 })
  assert.equal(own.status, 200)
  await new Promise((r) => setTimeout(r, 2000))
  assert.deepEqual(
    (await auditRows(`action = 'rate.set'`)).map((r) => [r.actor, r.detail.via ?? 'control']),
    [
      ['component-admin-token', 'direct'],
      ['otto', 'control'],
    ],
  )
})
