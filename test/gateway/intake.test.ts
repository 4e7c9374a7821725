import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bodyFormat, readIntake } from '../../src/gateway/intake.ts'
import { makeSaleLine } from '../support/events.ts'
import { httpStatus } from '../../src/platform/errors.ts'

const body = (value: unknown) => Buffer.from(JSON.stringify(value))

test('content types should map to JSON or NDJSON, anything else to none', () => {
  assert.equal(bodyFormat('application/json; charset=utf-8'), 'json')
  assert.equal(bodyFormat('application/vnd.sretl+json'), 'json')
  assert.equal(bodyFormat('application/x-ndjson'), 'ndjson')
  assert.equal(bodyFormat('text/plain'), undefined)
  assert.equal(bodyFormat(undefined), undefined)
})

test('one event, an array and NDJSON should each give events and per-index rejections', () => {
  const good = makeSaleLine()
  const single = readIntake(body(good), 'json', 10)
  assert.ok(single.ok)
  assert.equal(single.events.length, 1)
  assert.deepEqual(JSON.parse(single.events[0]!.value.toString()), good)

  const bad = { ...makeSaleLine(), quantity: '2' }
  const batch = readIntake(body([makeSaleLine(), bad, makeSaleLine(), 42]), 'json', 10)
  assert.ok(batch.ok)
  assert.deepEqual(
    batch.events.map((e) => e.index),
    [0, 2],
  )
  assert.deepEqual(
    batch.rejections.map((r) => [r.index, r.code, r.issues[0]?.field]),
    [
      [1, 'EVENT_SCHEMA_INVALID', '/quantity'],
      [3, 'EVENT_SCHEMA_INVALID', ''],
    ],
  )
  assert.equal(batch.rejections[0]?.eventId, bad.event_id)

  const ndjson = Buffer.from(
    `${JSON.stringify(makeSaleLine())}\r\n\n{"not": "closed"\n${JSON.stringify({ ...makeSaleLine(), net_amount_minor: 1 })}\n`,
  )
  const lines = readIntake(ndjson, 'ndjson', 10)
  assert.ok(lines.ok)
  assert.equal(lines.total, 3)
  assert.deepEqual(
    lines.rejections.map((r) => [r.index, r.line, r.code]),
    [
      [1, 3, 'EVENT_NOT_JSON'],
      [2, 4, 'EVENT_RULE_VIOLATED'],
    ],
  )
})

test('bodies that are not events at all should be refused as a whole with a code', () => {
  assert.deepEqual(readIntake(Buffer.from('{oops'), 'json', 10).ok, false)
  const notJson = readIntake(Buffer.from([0xff, 0xfe, 0x7b]), 'json', 10)
  assert.ok(!notJson.ok && notJson.code === 'BODY_NOT_JSON' && httpStatus(notJson.code) === 400)
  const empty = readIntake(Buffer.from('[]'), 'json', 10)
  assert.ok(!empty.ok && empty.code === 'BATCH_EMPTY')
  const blank = readIntake(Buffer.from('\n  \n'), 'ndjson', 10)
  assert.ok(!blank.ok && blank.code === 'BATCH_EMPTY')
  const many = readIntake(body(Array.from({ length: 11 }, () => makeSaleLine())), 'json', 10)
  assert.ok(!many.ok && many.code === 'BATCH_TOO_LARGE' && httpStatus(many.code) === 413)
  const manyLines = readIntake(Buffer.from('{}\n'.repeat(11)), 'ndjson', 10)
  assert.ok(!manyLines.ok && manyLines.code === 'BATCH_TOO_LARGE')
})

test('an event over 64 KiB should be rejected on its own', () => {
  const huge = { ...makeSaleLine(), category: 'x'.repeat(70_000) }
  const result = readIntake(
    Buffer.from(`${JSON.stringify(huge)}\n${JSON.stringify(makeSaleLine())}`),
    'ndjson',
    10,
  )
  assert.ok(result.ok)
  assert.equal(result.events.length, 1)
  assert.equal(result.rejections[0]?.code, 'EVENT_TOO_LARGE')
})
