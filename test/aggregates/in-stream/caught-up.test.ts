import assert from 'node:assert/strict'
import { test } from 'node:test'
import { caughtUp } from '../../../src/aggregates/in-stream/caught-up.ts'
import type { PartitionStatus } from '../../../src/lander/status.ts'

const partition = (p: Partial<PartitionStatus>): PartitionStatus => ({
  partition: 0,
  state: 'RUNNING',
  lastError: null,
  storedOffset: 10,
  endOffset: 10,
  lagMessages: 0,
  lagSeconds: 0,
  ...p,
})

test('a lander is caught up when no partition has lag; a partition that never held a record counts as caught up', () => {
  assert.equal(
    caughtUp([partition({}), partition({ storedOffset: null, endOffset: 0, lagMessages: null })]),
    true,
  )
  assert.equal(caughtUp([partition({ lagMessages: 3 })]), false)
  assert.equal(
    caughtUp([partition({ storedOffset: null, endOffset: null, lagMessages: null })]),
    false,
    'not yet measured',
  )
})
