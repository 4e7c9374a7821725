import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import {
  errorCatalogue,
  errorMessage,
  httpStatus,
  isRetryable,
  SretlError,
} from '../../src/platform/errors.ts'

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

test('docs/errors.md should list every error code with whether a retry helps and its HTTP status', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  const rows = doc.split('\n').map((line) => line.split('|').map((cell) => cell.trim()))
  for (const [code, spec] of Object.entries(errorCatalogue)) {
    const cells = rows.find((row) => row[1] === `\`${code}\``)
    assert.ok(cells, `docs/errors.md has a row for ${code}`)
    assert.equal(cells[2], spec.retryable ? 'yes' : 'no', `${code}: does a retry help?`)
    assert.equal(cells[3], String(spec.status), `${code}: HTTP status`)
  }
})

test('every error code should answer with a client or server error status, retryable ones never with a client fault', () => {
  for (const [code, spec] of Object.entries(errorCatalogue)) {
    assert.ok(spec.status >= 400 && spec.status <= 599, `${code}: ${spec.status}`)
    if (spec.retryable) {
      assert.ok(
        [408, 409, 429].includes(spec.status) || spec.status >= 500,
        `${code} is retryable but ${spec.status}`,
      )
    }
  }
  assert.equal(httpStatus('RATE_LIMITED'), 429)
  assert.equal(httpStatus('GATEWAY_OVERLOADED'), 503)
})
