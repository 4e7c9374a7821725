import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { createUi, formatCount, formatDuration } from '../../src/cli/ui.ts'

function capture() {
  const out = new PassThrough()
  const err = new PassThrough()
  let text = ''
  out.on('data', (d: Buffer) => (text += d.toString()))
  return { ui: createUi({ out, err }), text: () => text }
}

test('tables should align columns under a header', () => {
  const { ui, text } = capture()
  ui.table(
    [
      ['kafka', '127.0.0.1:9092'],
      ['postgres', 'x'],
    ],
    ['service', 'address'],
  )
  assert.equal(text(), 'service   address\n--------  --------------\nkafka     127.0.0.1:9092\npostgres  x\n')
})

test('progress without a terminal should print steps as lines and throttle updates', () => {
  const { ui, text } = capture()
  ui.progress({ step: 'kafka', state: 'start', detail: 'checking' })
  ui.progress({ step: 'kafka', state: 'update', detail: 'downloading 1' })
  ui.progress({ step: 'kafka', state: 'update', detail: 'downloading 2' })
  ui.progress({ step: 'kafka', state: 'done', detail: 'started' })
  const lines = text().trimEnd().split('\n')
  assert.equal(lines[0], '  … kafka        checking')
  assert.equal(lines.at(-1), '  ✓ kafka        started')
  assert.ok(lines.length <= 4)
})

test('numbers and durations should read naturally', () => {
  assert.equal(formatCount(1234567), '1,234,567')
  assert.equal(formatDuration(850), '850 ms')
  assert.equal(formatDuration(8300), '8.3 s')
  assert.equal(formatDuration(125_000), '2 min 5 s')
})
