import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LoginLimiter } from '../../../src/control/auth/login-limiter.ts'

test('sign-in attempts should be limited per key, and refill over a minute', () => {
  let now = 0
  const limiter = new LoginLimiter({ perMinute: 3, clock: () => now })
  for (let i = 0; i < 3; i++) assert.equal(limiter.attempt(['ip:1', 'user:a']).ok, true)
  const limited = limiter.attempt(['ip:2', 'user:a'])
  assert.deepEqual(limited, { ok: false, retryAfterSec: 20 })
  assert.equal(limiter.attempt(['ip:2', 'user:b']).ok, true, 'another user from another address')
  now = 20_000
  assert.equal(limiter.attempt(['ip:3', 'user:a']).ok, true)
})

test('the limiter should forget the oldest keys beyond its bound', () => {
  const limiter = new LoginLimiter({ perMinute: 1, maxKeys: 2, clock: () => 0 })
  assert.equal(limiter.attempt(['ip:1']).ok, true)
  assert.equal(limiter.attempt(['ip:1']).ok, false)
  limiter.attempt(['ip:2'])
  limiter.attempt(['ip:3'])
  assert.equal(limiter.attempt(['ip:1']).ok, true, 'forgotten, so a fresh bucket')
})
