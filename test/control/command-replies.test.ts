import assert from 'node:assert/strict'
import { test } from 'node:test'
import { commandReply } from '../../src/control/command-replies.ts'
import type { CommandOutcome } from '../../src/control/commands/commander.ts'
import { errorCatalogue, type ErrorCode } from '../../src/platform/errors.ts'

test('an applied command should answer 200 with result ok, its body and the audit row', () => {
  const reply = commandReply({ kind: 'ok', body: { changed: true, target: 'simulator' }, auditId: 7 })
  assert.equal(reply.status, 200)
  assert.deepEqual(reply.body, {
    result: 'ok',
    changed: true,
    target: 'simulator',
    audited: true,
    auditId: 7,
  })
})

test('a refusal should answer its code’s status with { result, code, message } and its extra fields', () => {
  const cases: [ErrorCode, number][] = [
    ['ROLE_FORBIDDEN', 403],
    ['RATE_INVALID', 400],
    ['LIMIT_INVALID', 400],
    ['RATE_ABOVE_CAP', 422],
    ['CONFIRMATION_REQUIRED', 409],
    ['UNKNOWN_COMPONENT', 404],
    ['NOT_PAUSABLE', 404],
    ['COMPONENT_REFUSED', 409],
    ['DEAD_LETTER_NOT_FOUND', 404],
    ['REPLAY_REFUSED', 409],
    ['REPLAY_IN_PROGRESS', 409],
  ]
  for (const [code, status] of cases) {
    const reply = commandReply({
      kind: 'refused',
      code,
      message: `no: ${code}`,
      extra: { capPerSec: 25 },
      auditId: 3,
    })
    assert.equal(reply.status, status, code)
    assert.deepEqual(reply.body, {
      result: 'refused',
      code,
      message: `no: ${code}`,
      capPerSec: 25,
      audited: true,
      auditId: 3,
    })
  }
})

test('a failure should answer its code’s status and say when the audit row is missing', () => {
  const cases: [ErrorCode, number][] = [
    ['COMPONENT_UNREACHABLE', 502],
    ['KAFKA_UNAVAILABLE', 503],
    ['STATUS_INVALID', 502],
    ['INTERNAL', 500],
  ]
  for (const [code, status] of cases) {
    const reply = commandReply({ kind: 'failed', code, message: 'broke', auditId: null })
    assert.equal(reply.status, status, code)
    assert.deepEqual(reply.body, { result: 'failed', code, message: 'broke', audited: false, auditId: null })
  }
})

test('every code should answer with the catalogue’s status, refused or failed', () => {
  for (const code of Object.keys(errorCatalogue) as ErrorCode[]) {
    for (const kind of ['refused', 'failed'] as const) {
      const outcome: CommandOutcome = { kind, code, message: 'm', auditId: 1 }
      assert.equal(commandReply(outcome).status, errorCatalogue[code].status, `${kind} ${code}`)
    }
  }
})

test('extra fields should never replace the result, code or audit fields', () => {
  const reply = commandReply({
    kind: 'failed',
    code: 'COMPONENT_UNREACHABLE',
    message: 'stopping intake failed for gateway',
    extra: { targets: [{ target: 'gateway', ok: false }] },
    auditId: 9,
  })
  assert.equal(reply.body.result, 'failed')
  assert.equal(reply.body.code, 'COMPONENT_UNREACHABLE')
  assert.deepEqual(reply.body.targets, [{ target: 'gateway', ok: false }])
})
