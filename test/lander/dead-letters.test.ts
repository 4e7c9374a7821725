import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deadLetterMessage, DLQ_HEADERS } from '../../src/lander/dead-letters.ts'
import { decodeRecord } from '../../src/lander/records.ts'

test('a dead letter should carry the original key, bytes and headers plus the reason and source headers', () => {
  const value = Buffer.from('{not json')
  const record = decodeRecord(
    {
      key: Buffer.from('S001'),
      value,
      headers: new Map([
        ['trace.id', 'abc'],
        [DLQ_HEADERS.code, 'forged'],
      ]),
      partition: 4,
      offset: 1234n,
      timestamp: 1_700_000_000_000n,
    },
    Date.parse('2026-11-30T10:00:00.000Z'),
  )
  assert.ok(record.rejection)
  const message = deadLetterMessage('p.sales.events.dlq.v1', 'p.sales.events.v1', record, record.rejection)
  assert.equal(message.topic, 'p.sales.events.dlq.v1')
  assert.equal(message.key?.toString(), 'S001')
  assert.equal(message.value, value)
  const headers = message.headers as Map<string, string>
  assert.equal(headers.get('trace.id'), 'abc')
  assert.equal(headers.get(DLQ_HEADERS.code), 'EVENT_NOT_JSON')
  assert.match(headers.get(DLQ_HEADERS.message) ?? '', /not valid JSON/)
  assert.equal(headers.get(DLQ_HEADERS.sourceTopic), 'p.sales.events.v1')
  assert.equal(headers.get(DLQ_HEADERS.sourcePartition), '4')
  assert.equal(headers.get(DLQ_HEADERS.sourceOffset), '1234')
  assert.equal(headers.get(DLQ_HEADERS.firstSeen), '2026-11-30T10:00:00.000Z')
})

test('a record without a key should be dead-lettered without one', () => {
  const record = decodeRecord(
    {
      key: Buffer.alloc(0),
      value: Buffer.from('[]'),
      headers: new Map(),
      partition: 0,
      offset: 0n,
      timestamp: 0n,
    },
    0,
  )
  assert.ok(record.rejection)
  assert.equal(deadLetterMessage('d', 's', record, record.rejection).key, undefined)
})
