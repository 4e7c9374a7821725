import assert from 'node:assert/strict'
import { randomBytes, scryptSync } from 'node:crypto'
import { test } from 'node:test'
import {
  hashPassword,
  hashToken,
  parseUsers,
  roleAllows,
  UserDirectory,
  userLine,
  verifyPassword,
} from '../../../src/control/auth/users.ts'

test('roles should nest: viewer < operator < admin', () => {
  assert.equal(roleAllows('admin', 'operator'), true)
  assert.equal(roleAllows('operator', 'operator'), true)
  assert.equal(roleAllows('viewer', 'operator'), false)
  assert.equal(roleAllows('operator', 'admin'), false)
})

test('users should sign in by scrypt password or bearer token, and nobody else', async () => {
  const text = [
    '# comment',
    userLine('alice', 'admin', await hashPassword('correct horse')),
    userLine('bot', 'operator', hashToken('sretl_token-1')),
    '',
  ].join('\n')
  const directory = new UserDirectory(parseUsers(text))
  assert.deepEqual(await directory.login('alice', 'correct horse'), { user: 'alice', role: 'admin' })
  assert.equal(await directory.login('alice', 'wrong'), undefined)
  assert.equal(await directory.login('mallory', 'correct horse'), undefined)
  assert.deepEqual(directory.bearer('sretl_token-1'), { user: 'bot', role: 'operator' })
  assert.equal(directory.bearer('sretl_token-2'), undefined)
  assert.equal(directory.size, 2)
})

test('a bad users file should name the line, never echo a secret', () => {
  assert.throws(
    () => parseUsers('alice:root:sha256$' + 'a'.repeat(64)),
    /line 1: the role must be one of viewer, operator, admin/,
  )
  assert.throws(
    () => parseUsers('\nalice:admin:plaintext-password'),
    (err: Error) => /line 2/.test(err.message) && !err.message.includes('plaintext'),
  )
  assert.throws(
    () => parseUsers(`alice:admin:sha256$${'a'.repeat(64)}\nalice:viewer:sha256$${'b'.repeat(64)}`),
    /two roles/,
  )
})

test('new password hashes should use scrypt N=2^17, and a line hashed with the old N=2^14 should still verify', async () => {
  const fresh = await hashPassword('correct horse')
  assert.match(fresh, /^scrypt\$131072\$8\$1\$/)
  assert.equal(await verifyPassword('correct horse', fresh), true)
  const salt = randomBytes(16)
  const key = scryptSync('old password', salt, 32, { N: 16384, r: 8, p: 1 })
  const old = `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`
  assert.equal(await verifyPassword('old password', old), true)
  assert.equal(await verifyPassword('wrong', old), false)
})
