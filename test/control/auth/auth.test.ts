import assert from 'node:assert/strict'
import { test } from 'node:test'
import { boundedUserName, sameSecret } from '../../../src/control/auth/auth.ts'

test('a sign-in user name should be stored bounded, with controls, quotes and markup escaped', () => {
  assert.equal(boundedUserName('alice.b@shop-1'), 'alice.b@shop-1')
  assert.equal(boundedUserName('eve\n{"forged":1}'), 'eve\\u000a\\u007b\\u0022forged\\u0022\\u003a1\\u007d')
  assert.equal(boundedUserName('<script>'), '\\u003cscript\\u003e')
  assert.equal(boundedUserName('x'.repeat(10_000)).length, 64)
})

test('CSRF tokens should compare equal only when identical, whatever their types and lengths', () => {
  assert.equal(sameSecret('abc123', 'abc123'), true)
  assert.equal(sameSecret('abc124', 'abc123'), false)
  assert.equal(sameSecret('abc', 'abc123'), false)
  assert.equal(sameSecret(undefined, 'abc123'), false)
  assert.equal(sameSecret(['abc123'], 'abc123'), false)
})
