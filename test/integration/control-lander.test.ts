import assert from 'node:assert/strict'
import { test } from 'node:test'
import { findFreePort } from '../../src/stack/ports.ts'
import type { RunningComponent } from '../support/components.ts'
import { PanelSession, startControlWithUsers } from '../support/control.ts'
import { encodeEvent, makeSaleLine } from '../support/events.ts'
import { configFor, pipelineEnv, waitFor } from '../support/harness.ts'
import {
  countRows,
  produce,
  produceContinuously,
  startChildLander,
  type ChildLander,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

let env: Record<string, string>
let lander: ChildLander
let control: RunningComponent
let operator: PanelSession

const db = useTestDatabase({ setUp: startComponents, teardown: () => control?.stop() })

async function startComponents(): Promise<void> {
  ;({ env } = await pipelineEnv(db, { LANDER_LAG_INTERVAL_MS: '250', CONTROL_DLQ_MAX_REPLAYS: '1' }))
  lander = await startChildLander(env)
  const nowhere = `http://127.0.0.1:${await findFreePort()}`
  const started = await startControlWithUsers({
    ...env,
    LANDER_URL: lander.url,
    SIMULATOR_URL: nowhere,
    GATEWAY_URL: nowhere,
  })
  control = started.control
  operator = await PanelSession.signIn(control.url, started.users.operator)
}

const lagOf = async () => {
  const status = await lander.status()
  return status.details.partitions.reduce((sum, p) => sum + (p.lagMessages ?? 0), 0)
}
const rows = () => countRows(db.pool('sretl_reader'))

test('pausing the lander through the control API should let the lag grow, and resuming should drain it', async () => {
  const kafka = configFor(env).kafka
  const stream = produceContinuously(
    kafka,
    (i) => {
      const e = makeSaleLine({ receipt_id: `RC-lag-${i}` })
      return { key: e.store_id, value: encodeEvent(e) }
    },
    { perTick: 20, everyMs: 100 },
  )
  try {
    await waitFor(async () => (await rows()) > 100, { message: 'the lander lands the stream' })
    const paused = await operator.post('/api/v1/components/lander/pause', { reason: 'it: vacuum' })
    assert.equal(paused.status, 200, JSON.stringify(paused.body))
    assert.equal((await lander.status()).state, 'PAUSED')
    const first = await waitFor(
      async () => {
        const lag = await lagOf()
        return lag > 100 ? lag : undefined
      },
      { message: 'lag builds up while paused' },
    )
    const second = await waitFor(
      async () => {
        const lag = await lagOf()
        return lag > first + 100 ? lag : undefined
      },
      { message: 'lag keeps growing while paused' },
    )
    assert.ok(second > first)
    const health = await waitFor(
      async () => {
        const overview = await operator.get('/api/v1/overview')
        const h = overview.body.health as { headline: string; items: { text: string }[] }
        return h.items.some((i) => /Landing is paused: [\d,]+ events waiting/.test(i.text)) ? h : undefined
      },
      { message: 'the health summary says landing is paused' },
    )
    assert.ok(health)
    const atRest = await rows()
    await new Promise((r) => setTimeout(r, 1000))
    assert.equal(await rows(), atRest, 'nothing lands while paused')

    const resumed = await operator.post('/api/v1/components/lander/resume', { reason: 'it: done' })
    assert.equal(resumed.status, 200)
  } finally {
    const sent = await stream.stop()
    await waitFor(async () => (await rows()) === sent.length && (await lagOf()) === 0, {
      timeoutMs: 60_000,
      message: 'the lag drains and every event lands once after resume',
    })
  }
  const audit = await db
    .pool('sretl_reader')
    .query(
      "SELECT actor, action, target, before, after, result FROM audit_log WHERE target = 'lander' ORDER BY id",
    )
  assert.deepEqual(audit.rows, [
    {
      actor: 'otto',
      action: 'pause',
      target: 'lander',
      before: { state: 'RUNNING', paused: false },
      after: { state: 'PAUSED', paused: true },
      result: 'ok',
    },
    {
      actor: 'otto',
      action: 'resume',
      target: 'lander',
      before: { state: 'PAUSED', paused: true },
      after: { state: 'RUNNING', paused: false },
      result: 'ok',
    },
  ])
})

interface DlqMessage {
  partition: number
  offset: string
  reason: string
  replayCount: number
  replayed: boolean
}

async function deadLetters(reason: string): Promise<DlqMessage[]> {
  const answer = await operator.get(`/api/v1/dead-letters/messages?reason=${reason}`)
  return answer.body.messages as DlqMessage[]
}

test('a dead letter should be browsed, inspected, and after its cause is fixed replayed once to land, a loop staying visible', async () => {
  const kafka = configFor(env).kafka
  const owner = db.pool('sretl_owner')
  // the "bug": a database rule that refuses one SKU; the lander dead-letters such rows
  await owner.query("ALTER TABLE sales_raw ADD CONSTRAINT it_blocked_sku CHECK (sku <> 'SKU-BLOCKED')")
  const early = makeSaleLine({ sku: 'SKU-BLOCKED', store_id: 'S042', receipt_id: 'RC-blocked-1' })
  const later = makeSaleLine({ sku: 'SKU-BLOCKED', store_id: 'S043', receipt_id: 'RC-blocked-2' })
  const landed = await rows()
  await produce(kafka, [
    { key: early.store_id, value: encodeEvent(early), headers: { 'trace.id': 'it-trace-1' } },
    { key: later.store_id, value: encodeEvent(later) },
    { key: 'S001', value: encodeEvent(makeSaleLine({ receipt_id: 'RC-fine' })) },
  ])
  const letters = await waitFor(
    async () => {
      const list = await deadLetters('EVENT_DB_REJECTED')
      return list.length === 2 ? list : undefined
    },
    { message: 'the control service shows both dead letters' },
  )
  const summary = await operator.get('/api/v1/dead-letters')
  assert.deepEqual(
    (summary.body.reasons as { reason: string; count: number }[]).map((r) => [r.reason, r.count]),
    [['EVENT_DB_REJECTED', 2]],
  )
  const details = await Promise.all(
    letters.map((l) => operator.get(`/api/v1/dead-letters/messages/${l.partition}/${l.offset}`)),
  )
  const first = details.find((d) => d.body.key === 'S042')
  assert.ok(first, 'the dead letter of S042 is listed')
  assert.match(String(first.body.text), /"sku":"SKU-BLOCKED"/)
  assert.match(String(first.body.hex), /^00000000 {2}7b 22 65 76/)
  const headers = Object.fromEntries(
    (first.body.headers as { name: string; value: string }[]).map((x) => [x.name, x.value]),
  )
  assert.equal(headers['error.code'], 'EVENT_DB_REJECTED')
  assert.match(headers['error.message'] ?? '', /it_blocked_sku/)
  assert.equal(headers['trace.id'], 'it-trace-1')
  const at = { partition: Number(first.body.partition), offset: String(first.body.offset) }

  // replayed before the fix: it fails again, and its new dead letter shows it went round once
  const tooSoon = await operator.post('/api/v1/dead-letters/replay', at)
  assert.equal(tooSoon.status, 200, JSON.stringify(tooSoon.body))
  assert.equal(tooSoon.body.replayed, 1)
  const looped = await waitFor(
    async () => (await deadLetters('EVENT_DB_REJECTED')).find((m) => m.replayCount === 1),
    { message: 'the replayed message comes back as a dead letter marked replay.count 1' },
  )
  const again = await operator.post('/api/v1/dead-letters/replay', at)
  assert.equal(again.status, 200)
  assert.equal(again.body.replayed, 0, 'a dead letter is replayed once')
  const loop = await operator.post('/api/v1/dead-letters/replay', {
    partition: looped.partition,
    offset: looped.offset,
  })
  assert.equal(loop.status, 409)
  assert.equal(loop.body.code, 'REPLAY_REFUSED')
  assert.match(String(loop.body.message), /replayed 1 times already/)

  // the fix; then replaying the reason sends only the one never replayed, and it lands once
  await owner.query('ALTER TABLE sales_raw DROP CONSTRAINT it_blocked_sku')
  const all = await operator.post('/api/v1/dead-letters/replay', { reason: 'EVENT_DB_REJECTED' })
  assert.equal(all.status, 200, JSON.stringify(all.body))
  assert.equal(all.body.replayed, 1)
  assert.equal((all.body.skipped as unknown[]).length, 2)
  const reader = db.pool('sretl_reader')
  await waitFor(async () => (await rows()) === landed + 2, { message: 'the replayed event lands' })
  const blockedRows = await reader.query<{ receipt_id: string }>(
    "SELECT receipt_id FROM sales_raw WHERE sku = 'SKU-BLOCKED' ORDER BY receipt_id",
  )
  assert.deepEqual(
    blockedRows.rows.map((r) => r.receipt_id),
    ['RC-blocked-2'],
  )
  const audit = await reader.query<{ action: string; result: string; detail: { replayed?: string[] } }>(
    "SELECT action, result, detail FROM audit_log WHERE action = 'dlq.replay' ORDER BY id",
  )
  assert.deepEqual(
    audit.rows.map((r) => [r.result, r.detail.replayed?.length ?? null]),
    [
      ['ok', 1],
      ['ok', 0],
      ['refused', null],
      ['ok', 1],
    ],
  )
})
