import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  AdminTokenHolder,
  AdminTokenVerifier,
  ensureAdminToken,
  rotateAdminToken,
} from '../../src/platform/admin-token.ts'

const fresh = () => join(mkdtempSync(join(tmpdir(), 'sretl-admin-')), 'secrets', 'component-admin-token')

test('the token should be made once, random, 0600 in a 0700 directory, and read back by later starters', () => {
  const path = fresh()
  const first = ensureAdminToken(path)
  const second = ensureAdminToken(path)
  assert.equal(first.created, true)
  assert.equal(second.created, false)
  assert.equal(second.token, first.token)
  assert.match(first.token, /^sretl_admin_[A-Za-z0-9_-]{43}$/)
  assert.equal(statSync(path).mode & 0o777, 0o600)
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700)
  assert.notEqual(ensureAdminToken(fresh()).token, first.token)
})

test('the verifier should accept only the current token, and after a rotation only the new one', () => {
  const path = fresh()
  const verifier = new AdminTokenVerifier(path)
  const old = readFileSync(path, 'utf8').trim()
  assert.equal(verifier.verify(old), true)
  assert.equal(verifier.verify(`${old}x`), false)
  assert.equal(verifier.verify(''), false)
  assert.equal(verifier.verify(undefined), false)
  const rotated = rotateAdminToken(path)
  assert.equal(statSync(path).mode & 0o777, 0o600)
  assert.equal(verifier.verify(old), false)
  assert.equal(verifier.verify(rotated), true)
})

test('a holder should keep its token until told to reload, and say whether the reload changed it', () => {
  const path = fresh()
  const { token } = ensureAdminToken(path)
  const holder = new AdminTokenHolder(path)
  assert.equal(holder.current(), token)
  assert.equal(holder.reload(), false)
  const rotated = rotateAdminToken(path)
  assert.equal(holder.current(), token)
  assert.equal(holder.reload(), true)
  assert.equal(holder.current(), rotated)
})
