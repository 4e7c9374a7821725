import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { errorCatalogue, errorMessage, isRetryable, SretlError } from '../../src/platform/errors.ts'

test('an error should carry its code and the catalogue’s retryable flag unless told otherwise', () => {
  const err = new SretlError('KAFKA_UNAVAILABLE', 'no broker', { details: { port: 1 } })
  assert.equal(err.code, 'KAFKA_UNAVAILABLE')
  assert.equal(err.retryable, true)
  assert.equal(isRetryable(err), true)
  assert.deepEqual(err.details, { port: 1 })
  assert.equal(new SretlError('KAFKA_UNAVAILABLE', 'x', { retryable: false }).retryable, false)
  assert.equal(isRetryable(new Error('plain')), false)
  assert.equal(errorMessage('text'), 'text')
})

test('docs/errors.md should list every error code with whether a retry helps', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  const rows = doc.split('\n').map((line) => line.split('|').map((cell) => cell.trim()))
  for (const [code, spec] of Object.entries(errorCatalogue)) {
    const cells = rows.find((row) => row[1] === `\`${code}\``)
    assert.ok(cells, `docs/errors.md has a row for ${code}`)
    assert.equal(cells[2], spec.retryable ? 'yes' : 'no', `${code}: does a retry help?`)
  }
})
