import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger, redactUrl } from '../../src/platform/logger.ts'

function capture(): { lines: string[]; write: (s: string) => void } {
  const lines: string[] = []
  return { lines, write: (s: string) => lines.push(s) }
}

test('the logger should redact secrets and the customer reference wherever they appear in a logged object', () => {
  const out = capture()
  const logger = createLogger({ level: 'info', destination: out })
  const ref = 'ab'.repeat(32)
  logger.info(
    { customer_ref: ref, event: { customer_ref: ref, sku: 'SKU-1' }, password: 'p', token: 't' },
    'x',
  )
  const line = out.lines.join('')
  assert.ok(!line.includes(ref), line)
  assert.ok(!line.includes('"p"') && !line.includes('"t"'), line)
  assert.match(line, /"sku":"SKU-1"/)
  assert.equal((line.match(/\[redacted\]/g) ?? []).length, 4)
})

test('a URL should lose its password before it is shown', () => {
  assert.equal(redactUrl('postgres://u:secret@h:5432/db'), 'postgres://u:***@h:5432/db')
})
