import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hashKey, Keyring, newApiKey, parseApiKeys, presentedKey } from '../../src/gateway/api-keys.ts'

test('key lines should parse with flags, and bad lines should be refused naming the key', () => {
  const a = newApiKey('till-a')
  const b = newApiKey('till-b')
  const entries = parseApiKeys(`# tills\n${a.line}:rate=50\n\n${b.line}:revoked, web:${hashKey('w')}`)
  assert.deepEqual(
    entries.map((e) => [e.id, e.revoked, e.ratePerSec]),
    [
      ['till-a', false, 50],
      ['till-b', true, undefined],
      ['web', false, undefined],
    ],
  )
  assert.ok(!a.line.includes(a.key), 'the line holds the hash, never the key')
  assert.match(a.key, /^sretl_[A-Za-z0-9_-]{43}$/)
  assert.throws(() => parseApiKeys('x:abc'), /SHA-256/)
  assert.throws(() => parseApiKeys(`x:${hashKey('1')}:sometimes`), /unknown flag/)
  assert.throws(() => parseApiKeys(`x:${hashKey('1')}\nx:${hashKey('2')}`), /twice/)
  assert.throws(() => parseApiKeys(`bad id:${hashKey('1')}`), /key id/)
})

test('the keyring should tell missing, unknown, revoked and good keys apart, each good key with its own limit', () => {
  const good = newApiKey('good')
  const old = newApiKey('old')
  const ring = new Keyring({
    entries: parseApiKeys(`${good.line}:rate=7\n${old.line}:revoked`),
    defaultRatePerSec: 100,
    burst: 10,
    clock: () => 0,
  })
  assert.deepEqual(ring.check(undefined), { ok: false, code: 'API_KEY_MISSING' })
  assert.deepEqual(ring.check('sretl_guess'), { ok: false, code: 'API_KEY_UNKNOWN' })
  assert.deepEqual(ring.check(old.key), { ok: false, code: 'API_KEY_REVOKED' })
  const check = ring.check(good.key)
  assert.ok(check.ok)
  assert.equal(check.id, 'good')
  assert.equal(check.limiter.ratePerSec, 7)
})

test('a key should be read from Authorization: Bearer or X-API-Key', () => {
  assert.equal(presentedKey({ authorization: 'Bearer abc' }), 'abc')
  assert.equal(presentedKey({ authorization: 'bearer  abc ' }), 'abc')
  assert.equal(presentedKey({ 'x-api-key': 'xyz', authorization: 'Bearer abc' }), 'xyz')
  assert.equal(presentedKey({ authorization: 'Basic abc' }), undefined)
  assert.equal(presentedKey({}), undefined)
})
