import assert from 'node:assert/strict'
import { test } from 'node:test'
import { change } from '../../../src/cli/commands/audit.ts'
import type { AuditRow } from '../../../src/control/audit.ts'

const row = (over: Partial<AuditRow>): AuditRow => ({
  id: 1,
  at: '2026-12-04T12:00:00.000Z',
  actor: 'otto',
  role: 'operator',
  action: 'pause',
  target: 'simulator',
  result: 'ok',
  ...over,
})

test('the audit column should show a pause as before → after with its reason', () => {
  const text = change(
    row({
      before: { state: 'RUNNING', paused: false },
      after: { state: 'PAUSED', paused: true },
      detail: { reason: 'database maintenance', changed: true },
    }),
  )
  assert.equal(text, 'RUNNING → PAUSED (why: database maintenance)')
})

test('the audit column should show several targets, a change without a reason, and a refusal', () => {
  assert.equal(
    change(
      row({
        action: 'intake.stop',
        before: { simulator: { state: 'RUNNING' }, gateway: { state: 'RUNNING' } },
        after: { simulator: { state: 'PAUSED' }, gateway: { state: 'PAUSED' } },
        detail: { reason: 'emergency' },
      }),
    ),
    'simulator RUNNING, gateway RUNNING → simulator PAUSED, gateway PAUSED (why: emergency)',
  )
  assert.equal(
    change(row({ action: 'rate.set', before: { ratePerSec: 100 }, after: { ratePerSec: 500 }, detail: {} })),
    '100 → 500',
  )
  assert.equal(
    change(row({ result: 'refused', detail: { code: 'ROLE_FORBIDDEN', message: 'viewer', reason: 'x' } })),
    'ROLE_FORBIDDEN: viewer',
  )
  // rows read through the API carry null, not undefined
  assert.equal(change(row({ before: null, after: null, detail: { reason: 'signed in' } })), 'signed in')
})
