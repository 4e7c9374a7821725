import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FetchGate } from '../../src/lander/fetch-gate.ts'

function fakeStream(): { pause(): void; resume(): void; calls: string[] } {
  const calls: string[] = []
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') }
}

test('fetching should resume only when every party that paused it has resumed', () => {
  const gate = new FetchGate()
  const stream = fakeStream()
  gate.attach(stream)
  gate.pause('operator')
  gate.pause('retry')
  gate.resume('operator')
  assert.deepEqual(stream.calls, ['pause'], 'still held by the retry')
  assert.deepEqual(gate.reasons(), ['retry'])
  gate.resume('retry')
  assert.deepEqual(stream.calls, ['pause', 'resume'])
  assert.deepEqual(gate.reasons(), [])
})

test('a pause held for the same reason twice should pause the stream once', () => {
  const gate = new FetchGate()
  const stream = fakeStream()
  gate.attach(stream)
  gate.pause('seek')
  gate.pause('seek')
  assert.deepEqual(stream.calls, ['pause'])
  assert.equal(gate.has('seek'), true)
  assert.equal(gate.has('operator'), false)
})

test('a new stream should be paused at once when fetching was held while there was none', () => {
  const gate = new FetchGate()
  const old = fakeStream()
  gate.attach(old)
  gate.pause('operator')
  gate.detach()
  gate.pause('seek')
  const next = fakeStream()
  gate.attach(next)
  assert.deepEqual(next.calls, ['pause'])
  gate.resume('operator')
  gate.resume('seek')
  assert.deepEqual(next.calls, ['pause', 'resume'])
  assert.deepEqual(old.calls, ['pause'], 'a detached stream is not touched')
})

test('reasons should be listed sorted, for /status', () => {
  const gate = new FetchGate()
  gate.pause('seek')
  gate.pause('retry')
  gate.pause('operator')
  assert.deepEqual(gate.reasons(), ['operator', 'retry', 'seek'])
})
