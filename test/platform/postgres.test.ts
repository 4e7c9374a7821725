import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { classifyPgError, connectionConfig, describePgError, sqlState } from '../../src/platform/postgres.ts'

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code })

test('PostgreSQL errors should be classified into retry, bad row and fatal', () => {
  for (const code of ['08006', '40001', '40P01', '53300', '57P01', '57P03', '55P03', '25006']) {
    assert.equal(classifyPgError(pgError(code)), 'retryable', code)
  }
  for (const code of ['22003', '22P02', '23505', '23514', '23502'])
    assert.equal(classifyPgError(pgError(code)), 'row', code)
  for (const code of ['42P01', '42501', 'XX000']) assert.equal(classifyPgError(pgError(code)), 'fatal', code)
  assert.equal(classifyPgError(Object.assign(new Error('socket'), { code: 'ECONNRESET' })), 'retryable')
  assert.equal(sqlState(pgError('23505')), '23505')
  assert.equal(sqlState(new Error('x')), undefined)
  assert.equal(
    describePgError(Object.assign(new Error(''), { code: 'ECONNREFUSED' })),
    'connection refused (is the server running?)',
  )
})

test('a URL alone should be handed to pg unchanged, as before', () => {
  assert.deepEqual(connectionConfig({ url: 'postgres://a:b@h:1/d?sslmode=require' }), {
    connectionString: 'postgres://a:b@h:1/d?sslmode=require',
  })
})

test('the password file should be read again at every new connection, so a rotated password needs no restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-pw-'))
  try {
    const file = join(dir, 'pw')
    writeFileSync(file, 'first\n')
    const config = connectionConfig({ url: 'postgres://lander@db:5433/retail', passwordFile: file })
    assert.deepEqual(
      [config.host, config.port, config.user, config.database],
      ['db', 5433, 'lander', 'retail'],
    )
    assert.equal(typeof config.password, 'function')
    const read = config.password as () => string
    assert.equal(read(), 'first')
    writeFileSync(file, 'second\n')
    assert.equal(read(), 'second')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('DATABASE_SSL_MODE should override the URL: verify-full checks the CA and needs its file, require does not verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-ca-'))
  try {
    const ca = join(dir, 'ca.pem')
    writeFileSync(ca, 'PEM')
    const url = 'postgres://u:p@127.0.0.1/d?sslmode=disable'
    assert.deepEqual(connectionConfig({ url, sslMode: 'verify-full', sslCaFile: ca }).ssl, {
      ca: 'PEM',
      rejectUnauthorized: true,
    })
    assert.deepEqual(connectionConfig({ url, sslMode: 'require' }).ssl, { rejectUnauthorized: false })
    assert.equal(connectionConfig({ url, sslMode: 'disable' }).ssl, undefined)
    assert.equal(connectionConfig({ url, sslMode: 'require' }).password, 'p')
    assert.throws(
      () => connectionConfig({ url, sslMode: 'verify-full' }),
      (err: Error) => err.message.includes('DATABASE_SSL_CA_FILE'),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
