/**
 * What survives a restart (ADR 0070), through the real control service and a real simulator:
 * the operator's rate and pause come back when the simulator restarts (a new process on the same
 * port) and when the whole stack restarts, audited as restores of the operator's own commands;
 * the admin's cap comes back with them; after a resume, a restart leaves the simulator running.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { findFreePort } from '../../src/stack/ports.ts'
import { getJson, startComponent, type RunningComponent } from '../support/components.ts'
import {
  PanelSession,
  startControl,
  startControlWithUsers,
  withToken,
  type TestUsers,
} from '../support/control.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import { useTestDatabase } from '../support/test-database.ts'

let env: Record<string, string>
let controlEnv: Record<string, string>
let simulator: RunningComponent | undefined
let control: RunningComponent | undefined
let users: TestUsers
let usersFile: string
let simulatorPort: number

const db = useTestDatabase({
  setUp: async () => {
    ;({ env } = await pipelineEnv(db, {
      RATE_PER_SEC: '50',
      SIMULATOR_MAX_RATE_PER_SEC: '2000',
      SIMULATOR_SEED: 'control-restore',
    }))
    simulatorPort = await findFreePort()
    simulator = await startComponent('simulator', env, simulatorPort)
    controlEnv = {
      ...env,
      SIMULATOR_URL: simulator.url,
      // only the simulator in this file: ports where nothing listens
      GATEWAY_URL: `http://127.0.0.1:${await findFreePort()}`,
      LANDER_URL: `http://127.0.0.1:${await findFreePort()}`,
    }
    ;({ control, users, usersFile } = await startControlWithUsers(controlEnv))
  },
  teardown: () => Promise.all([control?.stop(), simulator?.stop()]),
})

interface Status {
  state: string
  instance: string
  details: { baseRatePerSec: number; paused: boolean; pauseReason: string | null }
}
const simulatorStatus = () => getJson<Status>(`http://127.0.0.1:${simulatorPort}/status`)

interface Row {
  id: string
  actor: string
  action: string
  result: string
  after: { ratePerSec?: number; state?: string } | null
  detail: { reason?: string; restoredFrom?: { auditId: number; actor: string } }
}
async function rows(where: string): Promise<Row[]> {
  return (
    await db
      .pool('sretl_reader')
      .query<Row>(`SELECT id, actor, action, result, after, detail FROM audit_log WHERE ${where} ORDER BY id`)
  ).rows
}

async function restartSimulator(): Promise<void> {
  const before = (await simulatorStatus()).instance
  await simulator?.stop()
  simulator = await startComponent('simulator', env, simulatorPort)
  assert.notEqual((await simulatorStatus()).instance, before, 'a new simulator process')
}

const restored = async (rate: number, state: 'PAUSED' | 'RUNNING'): Promise<Status> =>
  waitFor(
    async () => {
      const s = await simulatorStatus()
      return s.details.baseRatePerSec === rate && s.state === state && s
    },
    { timeoutMs: 30_000, message: `the simulator back at ${rate}/s and ${state}` },
  )

test('the operator’s rate and pause should survive restarts of the simulator and of the stack, audited as restores', async () => {
  assert.ok(control)
  const operator = withToken(control.url, users.operator.token)
  assert.equal((await operator.post('/api/v1/rate', { ratePerSec: 150 })).status, 200)
  const admin = await PanelSession.signIn(control.url, users.admin)
  assert.equal((await admin.send('PUT', '/api/v1/limits', { rateCapPerSec: 1000 })).status, 200)
  const pause = await operator.post('/api/v1/components/simulator/pause', {
    reason: 'it: hold for the restore test',
  })
  assert.equal(pause.status, 200)
  const [rateRow] = await rows(`action = 'rate.set' AND result = 'ok' AND actor = 'otto'`)
  const [pauseRow] = await rows(`action = 'pause' AND actor = 'otto'`)
  assert.ok(rateRow && pauseRow)

  // 1. the simulator alone restarts (as a supervisor restarts it): it starts at RATE_PER_SEC, running
  await restartSimulator()
  const back = await restored(150, 'PAUSED')
  assert.match(
    back.details.pauseReason ?? '',
    /restored after a restart: it: hold for the restore test \(otto, .* audit #\d+\)/,
  )
  const restores = await rows(`actor = 'sretl-control'`)
  assert.deepEqual(
    restores.map((r) => [
      r.action,
      r.result,
      r.after?.ratePerSec ?? r.after?.state,
      r.detail.restoredFrom?.auditId,
    ]),
    [
      ['rate.set', 'ok', 150, Number(rateRow.id)],
      ['pause', 'ok', 'PAUSED', Number(pauseRow.id)],
    ],
  )

  // 2. the whole stack restarts: the control service reads the trail again; restores name the
  //    operator's commands, not the earlier restores
  await control.stop()
  await restartSimulator()
  control = await startControl(controlEnv, usersFile)
  await restored(150, 'PAUSED')
  const again = (await rows(`actor = 'sretl-control'`)).slice(2)
  assert.deepEqual(
    again.map((r) => [r.action, r.detail.restoredFrom?.auditId, r.detail.restoredFrom?.actor]),
    [
      ['rate.set', Number(rateRow.id), 'otto'],
      ['pause', Number(pauseRow.id), 'otto'],
    ],
  )
  const limits = await withToken(control.url, users.viewer.token).get('/api/v1/limits')
  assert.equal(limits.body.rateCapPerSec, 1000, 'the admin’s cap survives as before')

  // 3. resumed: a restart brings the rate back and leaves the simulator running
  const resume = await withToken(control.url, users.operator.token).post(
    '/api/v1/components/simulator/resume',
    {
      reason: 'it: done',
    },
  )
  assert.equal(resume.status, 200)
  await restartSimulator()
  await restored(150, 'RUNNING')
  await waitFor(async () => (await rows(`actor = 'sretl-control' AND action = 'rate.set'`)).length === 3, {
    message: 'the third restore of the rate audited',
  })
  assert.equal((await rows(`actor = 'sretl-control' AND action = 'pause'`)).length, 2, 'no pause restored')
  assert.equal((await simulatorStatus()).state, 'RUNNING')
})
