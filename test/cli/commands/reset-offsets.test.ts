import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resetTarget } from '../../../src/cli/commands/reset-offsets.ts'
import { SretlError } from '../../../src/platform/errors.ts'

test('reset-offsets should turn earliest and latest into the ListOffsets special timestamps', () => {
  assert.deepEqual(resetTarget({ 'to-earliest': true }), { to: 'to-earliest', timestamp: -2n })
  assert.deepEqual(resetTarget({ 'to-latest': true, 'to-earliest': false }), {
    to: 'to-latest',
    timestamp: -1n,
  })
})

test('reset-offsets should take a time as milliseconds since the epoch', () => {
  assert.deepEqual(resetTarget({ 'to-datetime': '2026-11-30T08:00:00Z' }), {
    to: 'to-datetime',
    timestamp: BigInt(Date.parse('2026-11-30T08:00:00Z')),
  })
})

test('reset-offsets should refuse no option, two options and a time that is not one, as usage errors', () => {
  const usage = (pattern: RegExp) => (err: unknown) =>
    err instanceof SretlError && err.code === 'USAGE' && pattern.test(err.message)
  assert.throws(() => resetTarget({}), usage(/exactly one of/))
  assert.throws(() => resetTarget({ 'to-earliest': true, 'to-latest': true }), usage(/exactly one of/))
  assert.throws(() => resetTarget({ 'to-datetime': 'soon' }), usage(/--to-datetime: "soon" is not a time/))
})
