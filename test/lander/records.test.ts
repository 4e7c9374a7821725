import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeRecord, MAX_REASON_CHARS, truncate } from '../../src/lander/records.ts'
import { encodeEvent, makeSaleLine } from '../support/events.ts'

const source = (value: Buffer) => ({
  key: Buffer.from('S001'),
  value,
  headers: new Map<string, string>(),
  partition: 1,
  offset: 7n,
  timestamp: 1_700_000_000_123n,
})

test('a valid event should decode into its row, COPY line and dedupe key', () => {
  const event = makeSaleLine({ event_time: '2026-11-30T12:00:00.000Z' })
  const record = decodeRecord(source(encodeEvent(event)), 5)
  assert.equal(record.rejection, undefined)
  assert.equal(record.event?.event_id, event.event_id)
  assert.equal(record.eventTimeMs, Date.parse(event.event_time))
  assert.equal(record.key, event.event_id)
  assert.ok(record.line?.startsWith(`${event.event_id}\t`))
  assert.equal(record.produceTimeMs, 1_700_000_000_123)
  assert.equal(record.seenAtMs, 5)
})

test('an invalid event should be refused with the validator’s code and a reason naming the field', () => {
  const record = decodeRecord(source(encodeEvent({ ...makeSaleLine(), quantity: 0 })), 0)
  assert.equal(record.event, undefined)
  assert.equal(record.rejection?.code, 'EVENT_SCHEMA_INVALID')
  assert.match(record.rejection?.message ?? '', /\/quantity/)
})

test('a lone surrogate in a text field should be refused before it reaches PostgreSQL', () => {
  const record = decodeRecord(
    source(Buffer.from(JSON.stringify(makeSaleLine()).replace('grocery', 'gro\\ud800cery'))),
    0,
  )
  assert.equal(record.rejection?.code, 'EVENT_DB_REJECTED')
  assert.match(record.rejection?.message ?? '', /\/category/)
})

test('reasons should be truncated to a bounded length', () => {
  assert.equal(truncate('x'.repeat(5000)).length, MAX_REASON_CHARS)
  assert.equal(truncate('short'), 'short')
})
