import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  componentUrl,
  generatePassword,
  loginSql,
  printableLoginsSql,
  scramVerifier,
  writeSecretFile,
} from '../../src/database/db-logins.ts'

test('a generated password should carry 256 random bits in URL-safe characters and differ every time', () => {
  const a = generatePassword()
  assert.match(a, /^[A-Za-z0-9_-]{43}$/)
  assert.notEqual(a, generatePassword())
})

test('the SCRAM verifier should have PostgreSQL’s format and depend on the salt, never contain the password', () => {
  const salt = Buffer.alloc(16, 7)
  const v = scramVerifier('s3cret', salt)
  assert.match(v, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/)
  assert.equal(v, scramVerifier('s3cret', salt))
  assert.notEqual(v, scramVerifier('s3cret'))
  assert.ok(!v.includes('s3cret'))
})

test('the login SQL should strip every privileged attribute and other membership and name only the component’s roles', () => {
  const sql = loginSql('control', 'SCRAM-SHA-256$4096:x$y:z', { prefix: 'p_' })
  assert.match(sql, /ALTER ROLE "p_control" WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT/)
  assert.match(sql, /GRANT "sretl_reader", "sretl_auditor" TO "p_control";/)
  assert.match(sql, /REVOKE %I FROM "p_control"/)
  assert.match(sql, /rolsuper OR rolreplication OR rolbypassrls/)
})

test('the printed SQL should set every login from verifiers and hand back the passwords it used', () => {
  const { sql, passwords } = printableLoginsSql(undefined, undefined, (c) => `pw-${c}-0123456789`)
  assert.deepEqual(Object.keys(passwords).sort(), ['sretl_control', 'sretl_exporter', 'sretl_lander'])
  for (const password of Object.values(passwords)) assert.ok(!sql.includes(password))
  assert.match(sql, /^BEGIN;$/m)
  assert.match(sql, /^COMMIT;$/m)
  assert.equal((sql.match(/PASSWORD 'SCRAM-SHA-256\$/g) ?? []).length, 3)
})

test('a secret file should be written 0600 by rename, replacing the old content whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-secret-'))
  try {
    const file = join(dir, 'pg-x.password')
    writeSecretFile(file, 'one')
    writeSecretFile(file, 'two')
    assert.equal(readFileSync(file, 'utf8'), 'two\n')
    assert.equal(statSync(file).mode & 0o777, 0o600)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a component URL should name the login and carry no password, keeping host, database and parameters', () => {
  const url = componentUrl('postgres://admin:pw@db:6543/retail?sslmode=verify-full', 'sretl_lander')
  assert.equal(url, 'postgres://sretl_lander@db:6543/retail?sslmode=verify-full')
})
