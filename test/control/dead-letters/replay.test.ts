import assert from 'node:assert/strict'
import { test } from 'node:test'
import { replayMessage } from '../../../src/control/dead-letters/replay.ts'

test('a replayed message should keep its key, bytes and own headers, drop the dead-letter ones and count the round', () => {
  const message = replayMessage(
    {
      partition: 2,
      offset: 17n,
      timestamp: 0,
      key: Buffer.from('S042'),
      value: Buffer.from('{"x":1}'),
      size: 7,
      truncated: false,
      reason: 'EVENT_DB_REJECTED',
      headers: [
        ['trace.id', 't-1'],
        ['error.code', 'EVENT_DB_REJECTED'],
        ['error.message', 'no'],
        ['source.topic', 'sales.events.v1'],
        ['first.seen', '2026-11-30T00:00:00.000Z'],
        ['replay.count', '1'],
      ],
    },
    'sales.events.v1',
    'sales.events.dlq.v1',
    'otto',
    new Date('2026-11-30T10:00:00.000Z'),
  )
  assert.equal(message.topic, 'sales.events.v1')
  assert.equal(message.key?.toString(), 'S042')
  assert.equal(message.value?.toString(), '{"x":1}')
  assert.deepEqual(Object.fromEntries(message.headers as Map<string, string>), {
    'trace.id': 't-1',
    'replay.count': '2',
    'replay.of': 'sales.events.dlq.v1/2/17',
    'replay.at': '2026-11-30T10:00:00.000Z',
    'replay.by': 'otto',
  })
})
