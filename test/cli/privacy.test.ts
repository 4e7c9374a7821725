import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { readRegister, subjectDigest, subjectRef } from '../../src/cli/privacy.ts'
import { customerRef } from '../../src/domain/ids.ts'

const REF = 'ab'.repeat(32)
const noKey = (): string => assert.fail('the key is needed only for a loyalty id')

test('a subject should be named by exactly one of customer_ref or loyalty id, a loyalty id hashed with the key', () => {
  assert.equal(subjectRef({ customerRef: REF.toUpperCase() }, noKey), REF)
  assert.equal(
    subjectRef({ loyaltyId: ' LY-DE-000001 ' }, () => 'k'),
    customerRef('LY-DE-000001', 'k'),
  )
  assert.throws(() => subjectRef({}, noKey), /exactly one of --customer-ref or --loyalty-id/)
  assert.throws(() => subjectRef({ customerRef: REF, loyaltyId: 'LY-1' }, noKey), /exactly one/)
  assert.throws(() => subjectRef({ customerRef: 'LY-DE-000001' }, noKey), /64 hex characters/)
})

test('the erasure register should give each subject’s digest once, and name a line that is not an erasure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-register-'))
  assert.deepEqual(readRegister(join(dir, 'absent.jsonl')), [])
  const file = join(dir, 'erasures.jsonl')
  const d = subjectDigest(REF)
  writeFileSync(file, `${JSON.stringify({ subjectSha256: d })}\n\n${JSON.stringify({ subjectSha256: d })}\n`)
  assert.deepEqual(readRegister(file), [d])
  assert.notEqual(d, REF, 'the register never holds the reference itself')
  writeFileSync(file, `${JSON.stringify({ subjectSha256: d })}\nnot json\n`)
  assert.throws(() => readRegister(file), /line 2 is not an erasure record/)
})
