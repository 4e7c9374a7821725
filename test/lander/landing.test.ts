import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CopyStrategy, describeBatch } from '../../src/lander/landing.ts'
import type { LanderRecord } from '../../src/lander/records.ts'
import { landerRecord } from '../support/lander-records.ts'

test('the copy strategy should go straight to staging after a conflict, for longer after each one, and reset after a direct success', () => {
  const strategy = new CopyStrategy()
  assert.equal(strategy.direct(), true)
  strategy.conflicted()
  assert.deepEqual(
    Array.from({ length: 5 }, () => strategy.direct()),
    [false, false, false, false, true],
  )
  strategy.conflicted()
  assert.equal(Array.from({ length: 8 }, () => strategy.direct()).filter(Boolean).length, 0)
  assert.equal(strategy.direct(), true)
  strategy.succeeded()
  strategy.conflicted()
  assert.equal(Array.from({ length: 4 }, () => strategy.direct()).filter(Boolean).length, 0)
  assert.equal(strategy.direct(), true)
  assert.equal(new CopyStrategy(false).direct(), false, 'disabled: always staged')
})

const record = (partition: number, offset: bigint, produceTimeMs: number): LanderRecord =>
  landerRecord({ partition, offset, produceTimeMs, bytes: 1 })

test('a batch should be described by each partition’s offset range and next offset to store', () => {
  const info = describeBatch([record(3, 10n, 5), record(1, 7n, 1), record(3, 12n, 9), record(3, 11n, 7)])
  assert.equal(info.records, 4)
  assert.deepEqual(info.partitions, [
    { partition: 1, firstOffset: 7n, nextOffset: 8n, lastProduceTimeMs: 1 },
    { partition: 3, firstOffset: 10n, nextOffset: 13n, lastProduceTimeMs: 9 },
  ])
})
