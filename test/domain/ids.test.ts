import assert from 'node:assert/strict'
import { test } from 'node:test'
import { customerRef, uuidv7, uuidv7Time } from '../../src/domain/ids.ts'

test('uuidv7 should encode its time, version and variant, and sort by time', () => {
  const random = new Uint8Array(10).fill(0xff)
  const id = uuidv7(Date.UTC(2026, 10, 30, 12), random)
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(uuidv7Time(id), Date.UTC(2026, 10, 30, 12))
  const later = uuidv7(Date.UTC(2026, 10, 30, 12) + 1, new Uint8Array(10))
  assert.ok(later > id, 'a later id sorts after an earlier one')
  assert.throws(() => uuidv7(0, new Uint8Array(3)))
})

test('customer references should be a keyed hash that never contains the loyalty id', () => {
  const ref = customerRef('LOYAL-123456', 'key-a')
  assert.match(ref, /^[0-9a-f]{64}$/)
  assert.equal(ref, customerRef('LOYAL-123456', 'key-a'), 'stable for the same key')
  assert.notEqual(ref, customerRef('LOYAL-123456', 'key-b'), 'another key, another reference')
  assert.ok(!ref.includes('123456'))
})
