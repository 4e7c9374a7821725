import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AuditLog, AuditRow } from '../../../src/control/audit.ts'
import type { Commander } from '../../../src/control/commands/commander.ts'
import type { Reading } from '../../../src/control/readings.ts'
import { loadRemembered, SettingsRestorer } from '../../../src/control/commands/restore.ts'
import { silentLogger } from '../../../src/platform/logger.ts'

let nextId = 1
const row = (over: Partial<AuditRow>): AuditRow => ({
  id: nextId++,
  at: '2026-12-04T12:00:00.000Z',
  actor: 'otto',
  role: 'operator',
  action: 'pause',
  target: 'simulator',
  result: 'ok',
  ...over,
})

/** The two reads the restorer makes, over a list of rows (newest last). */
function auditOf(rows: AuditRow[]): AuditLog {
  const flows = ['pause', 'resume', 'intake.stop', 'intake.resume']
  return {
    list: (q) =>
      Promise.resolve(
        rows
          .filter((r) => (!q.action || r.action === q.action) && (!q.result || r.result === q.result))
          .reverse()
          .slice(0, q.limit),
      ),
    latestFlowPerTarget: () => {
      const latest = new Map<string, AuditRow>()
      for (const r of rows) {
        if (!flows.includes(r.action) || r.result !== 'ok') continue
        for (const t of r.target.split(',')) latest.set(t, r)
      }
      return Promise.resolve(latest)
    },
    write: () => Promise.reject(new Error('not used')),
    latestOk: () => Promise.reject(new Error('not used')),
    replayedPositions: () => Promise.reject(new Error('not used')),
    hasCommand: () => Promise.reject(new Error('not used')),
  }
}

test('loadRemembered should keep the last applied rate and each component’s last pause, and name the first command of a restore', async () => {
  const first = row({ action: 'rate.set', after: { ratePerSec: 300 } })
  const rows = [
    first,
    row({ action: 'rate.set', result: 'refused', after: null }),
    row({
      action: 'rate.set',
      actor: 'sretl-control',
      after: { ratePerSec: 300 },
      detail: { restoredFrom: { auditId: first.id, actor: 'otto', at: first.at } },
    }),
    row({ action: 'intake.stop', target: 'simulator,gateway', detail: { reason: 'incident' } }),
    row({ action: 'resume', target: 'simulator' }),
    row({ action: 'pause', target: 'lander', result: 'failed' }),
  ]
  const remembered = await loadRemembered(auditOf(rows))
  assert.equal(remembered.rate?.ratePerSec, 300)
  assert.equal(remembered.rate?.origin.auditId, first.id, 'a restore of a restore names the operator’s row')
  assert.deepEqual(
    [...remembered.paused.keys()],
    ['gateway'],
    'the simulator was resumed; a failed pause is none',
  )
  assert.equal(remembered.paused.get('gateway')?.reason, 'incident')
})

test('the restorer should re-apply the rate and the pause once per new instance of a component', async () => {
  const calls: string[] = []
  const commander = {
    setRate: (_a: unknown, rate: number, confirm: boolean) => {
      calls.push(`rate ${rate} ${confirm}`)
      return Promise.resolve({ kind: 'ok', body: {}, auditId: 1 })
    },
    pause: (_a: unknown, target: string, reason: string) => {
      calls.push(`pause ${target}: ${reason}`)
      return Promise.resolve({ kind: 'ok', body: {}, auditId: 1 })
    },
  } as unknown as Commander
  const audit = auditOf([
    row({ action: 'rate.set', after: { ratePerSec: 150 } }),
    row({ action: 'pause', target: 'simulator', detail: { reason: 'hold' } }),
  ])
  const restorer = new SettingsRestorer({ audit, commander, logger: silentLogger() })
  const reading = (instance: string, rate: number, state: string): Reading => ({
    name: 'simulator',
    reachable: true,
    checkedAt: 0,
    lastSeenAt: 0,
    status: {
      component: 'simulator',
      instance,
      state,
      since: '',
      heartbeatAt: '',
      lastError: null,
      details: { baseRatePerSec: rate, paused: state === 'PAUSED' },
    } as unknown as NonNullable<Reading['status']>,
  })
  restorer.observe(reading('host:1', 100, 'RUNNING'))
  await restorer.settled()
  assert.equal(calls.length, 2)
  assert.equal(calls[0], 'rate 150 true')
  assert.match(
    calls[1] ?? '',
    /^pause simulator: restored after a restart: hold \(otto, 2026-12-04 12:00 UTC, audit #\d+\)$/,
  )
  restorer.observe(reading('host:1', 100, 'RUNNING'))
  await restorer.settled()
  assert.equal(calls.length, 2, 'the same instance is not restored twice')
  restorer.observe(reading('host:2', 150, 'PAUSED'))
  await restorer.settled()
  assert.equal(calls.length, 2, 'a new instance already at the remembered settings needs nothing')
  restorer.observe(reading('host:3', 100, 'RUNNING'))
  await restorer.settled()
  assert.equal(calls.length, 4, 'a restarted one is restored again')
})
