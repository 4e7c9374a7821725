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

test('uuidv7 should lay out the 48-bit time and the random bytes exactly as RFC 9562 says', () => {
  for (const time of [0, 1, 255, 65_535, 2 ** 32 + 5, Date.UTC(2026, 10, 30, 12, 34, 56, 789), 2 ** 48 - 1]) {
    const random = Uint8Array.from({ length: 10 }, (_, i) => (time * 7 + i * 37) & 0xff)
    const bytes = new Uint8Array(16)
    let t = BigInt(time)
    for (let i = 5; i >= 0; i--) {
      bytes[i] = Number(t & 0xffn)
      t >>= 8n
    }
    bytes.set(random, 6)
    bytes[6] = 0x70 | (bytes[6]! & 0x0f)
    bytes[8] = 0x80 | (bytes[8]! & 0x3f)
    const hex = Buffer.from(bytes).toString('hex')
    const expected = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    assert.equal(uuidv7(time, random), expected)
    assert.equal(uuidv7Time(expected), time)
  }
})
