import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DlqIndex, hexDump, summarizeDeadLetter } from '../../../src/control/dead-letters/held-index.ts'

const letter = (offset: number, code: string, size = 10) => ({
  partition: offset % 2,
  offset: BigInt(offset),
  timestamp: 1000 + offset,
  key: Buffer.from('S001'),
  value: Buffer.alloc(size, 'x'),
  headers: [
    ['error.code', code],
    ['error.message', `why ${offset}`],
    ['source.topic', 'sales.events.v1'],
    ['source.partition', '3'],
    ['source.offset', String(offset)],
  ] as [string, string][],
})

test('counts should cover every dead letter while only the newest are held', () => {
  const index = new DlqIndex({ maxRecords: 3, maxBytes: 1024 * 1024 })
  for (let i = 0; i < 5; i++) index.add(letter(i, i < 4 ? 'EVENT_NOT_JSON' : 'EVENT_SCHEMA_INVALID'))
  index.add(letter(4, 'EVENT_SCHEMA_INVALID'))
  assert.equal(index.total, 5, 'a position is counted once')
  assert.equal(index.held, 3)
  assert.deepEqual(
    index.reasons().map((r) => [r.reason, r.count, r.held]),
    [
      ['EVENT_NOT_JSON', 4, 2],
      ['EVENT_SCHEMA_INVALID', 1, 1],
    ],
  )
  assert.deepEqual(
    index.list('EVENT_NOT_JSON', 10).map((r) => Number(r.offset)),
    [3, 2],
  )
  assert.equal(index.get(0, 0n), undefined)
  const summary = summarizeDeadLetter(index.get(1, 3n) ?? assert.fail('held'))
  assert.equal(summary.source, 'sales.events.v1/3/3')
  assert.equal(summary.replayCount, 0)
})

test('a dead letter larger than the per-record bound should be held cut short', () => {
  const index = new DlqIndex({ maxRecords: 10, maxBytes: 1024 * 1024, maxRecordBytes: 100 })
  index.add(letter(1, 'EVENT_TOO_LARGE', 500))
  const held = index.get(1, 1n)
  assert.equal(held?.truncated, true)
  assert.equal(held?.size, 500)
  assert.equal(held?.value.byteLength, 100)
})

test('the hex dump should show offsets, bytes and printable text', () => {
  assert.equal(
    hexDump(Buffer.from('{"a":1}\n'), 1024),
    '00000000  7b 22 61 22 3a 31 7d 0a                          |{"a":1}.|',
  )
})
