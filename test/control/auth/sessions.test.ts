import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readCookie, sessionCookie, SessionStore } from '../../../src/control/auth/sessions.ts'

test('sessions should end when idle, when too old, and the least recently used first when full', () => {
  let now = 0
  const store = new SessionStore({ idleMs: 1000, maxAgeMs: 5000, max: 2 }, () => now)
  const a = store.create({ user: 'a', role: 'viewer' })
  assert.notEqual(a.csrfToken, a.id)
  now = 900
  assert.equal(store.get(a.id)?.user, 'a')
  now = 1800
  assert.equal(store.get(a.id)?.user, 'a', 'used 900 ms ago: still live')
  now = 2900
  assert.equal(store.get(a.id), undefined, 'idle 1100 ms: ended')
  const b = store.create({ user: 'b', role: 'viewer' })
  const c = store.create({ user: 'c', role: 'viewer' })
  store.get(b.id)
  store.create({ user: 'd', role: 'viewer' })
  assert.equal(store.get(c.id), undefined, 'the least recently used session made room')
  assert.equal(store.get(b.id)?.user, 'b')
  for (let t = 3000; t <= 8000; t += 500) {
    now = t
    store.get(b.id)
  }
  assert.equal(store.get(b.id), undefined, 'older than the maximum age')
})

test('the session cookie should be HttpOnly and SameSite=Strict, Secure when asked', () => {
  assert.equal(
    sessionCookie('x', 60, false),
    'sretl_session=x; Path=/; HttpOnly; SameSite=Strict; Max-Age=60',
  )
  assert.match(sessionCookie('x', 60, true), /; Secure$/)
  assert.equal(readCookie('a=1; sretl_session=abc; b=2', 'sretl_session'), 'abc')
  assert.equal(readCookie(undefined, 'sretl_session'), undefined)
})
