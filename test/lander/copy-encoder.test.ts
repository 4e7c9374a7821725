import assert from 'node:assert/strict'
import { test } from 'node:test'
import { COPY_COLUMNS, copyLine, copyText, malformedTextField } from '../../src/lander/copy-encoder.ts'
import { makeSaleLine } from '../support/events.ts'

test('copyText should escape backslash, tab, newline and carriage return and pass everything else through', () => {
  assert.equal(copyText('plain text, ünïcödé 🛒'), 'plain text, ünïcödé 🛒')
  assert.equal(copyText('a\\b'), 'a\\\\b')
  assert.equal(copyText('tab\there'), 'tab\\there')
  assert.equal(copyText('line\nbreak\r\n'), 'line\\nbreak\\r\\n')
  assert.equal(copyText('\\N'), '\\\\N', 'a literal \\N is not NULL')
  assert.equal(copyText('\\.'), '\\\\.', 'no end-of-data marker can be formed')
})

test('copyLine should write one tab-separated row per event with NULL as \\N, in COPY_COLUMNS order', () => {
  const e = makeSaleLine({
    category: 'a\tb',
    promo_id: null,
    customer_ref: undefined,
    original_receipt_id: 'RC\\1',
  })
  const line = copyLine(e)
  assert.ok(line.endsWith('\n'))
  const fields = line.slice(0, -1).split('\t')
  assert.equal(fields.length, COPY_COLUMNS.length)
  const at = (column: (typeof COPY_COLUMNS)[number]): string | undefined =>
    fields[COPY_COLUMNS.indexOf(column)]
  assert.equal(at('event_id'), e.event_id)
  assert.equal(at('category'), 'a\\tb')
  assert.equal(at('quantity'), String(e.quantity))
  assert.equal(at('net_amount_minor'), String(e.net_amount_minor))
  assert.equal(at('promo_id'), '\\N')
  assert.equal(at('customer_ref'), '\\N')
  assert.equal(at('original_receipt_id'), 'RC\\\\1')
})

test('malformedTextField should name a free-text field holding a lone surrogate', () => {
  assert.equal(malformedTextField(makeSaleLine()), undefined)
  assert.equal(malformedTextField(makeSaleLine({ category: 'bad \ud800 text' })), 'category')
  assert.equal(malformedTextField(makeSaleLine({ promo_id: '\udfff' })), 'promo_id')
})
