import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classifyPgError, describePgError, sqlState } from '../../src/platform/postgres.ts'

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code })

test('PostgreSQL errors should be classified into retry, bad row and fatal', () => {
  for (const code of ['08006', '40001', '40P01', '53300', '57P01', '57P03', '55P03']) {
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
