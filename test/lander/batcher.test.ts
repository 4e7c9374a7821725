import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Batcher } from '../../src/lander/batcher.ts'
import type { LanderRecord } from '../../src/lander/records.ts'
import { landerRecord } from '../support/lander-records.ts'

const record = (offset: number, bytes = 100): LanderRecord => landerRecord({ offset: BigInt(offset), bytes })

test('a batch should close when it holds maxRows records, and the next add should wait until it is taken', async () => {
  const batcher = new Batcher({ maxRows: 3, maxBytes: 1_000_000, maxWaitMs: 60_000 }, () => 0)
  for (let i = 0; i < 3; i += 1) assert.equal(await batcher.add(record(i)), true)
  let fourthAdded = false
  const fourth = batcher.add(record(3)).then(() => (fourthAdded = true))
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(fourthAdded, false, 'the reader waits while the batch is full')
  const batch = await batcher.take()
  assert.deepEqual(
    batch?.records.map((r) => r.source.offset),
    [0n, 1n, 2n],
  )
  await fourth
  assert.equal(batcher.pending.records, 1)
})

test('a batch should close before a record would push it past maxBytes, and a larger record forms a batch alone', async () => {
  const batcher = new Batcher({ maxRows: 100, maxBytes: 250, maxWaitMs: 60_000 }, () => 0)
  await batcher.add(record(0, 100))
  await batcher.add(record(1, 100))
  const third = batcher.add(record(2, 100))
  const first = await batcher.take()
  assert.equal(first?.records.length, 2)
  assert.equal(first?.bytes, 200)
  await third
  const huge = batcher.add(record(3, 10_000))
  assert.equal((await batcher.take())?.records.length, 1)
  await huge
  const alone = await batcher.take()
  assert.deepEqual(
    alone?.records.map((r) => r.bytes),
    [10_000],
  )
})

test('a batch should close after maxWaitMs even when not full, and close() should hand out the rest then end', async () => {
  let now = 0
  const batcher = new Batcher({ maxRows: 100, maxBytes: 1_000_000, maxWaitMs: 5 }, () => now)
  await batcher.add(record(0))
  now = 10
  const batch = await batcher.take()
  assert.equal(batch?.records.length, 1)
  await batcher.add(record(1))
  batcher.close()
  assert.equal((await batcher.take())?.records.length, 1)
  assert.equal(await batcher.take(), undefined)
  assert.equal(await batcher.add(record(2)), false, 'nothing is added after close')
})

test('a batch should still close when its age timer fires before the clock says the time is up', async () => {
  // the clock lags the timer: at the first wake-up it reads 1 ms short of the limit
  const readings = [0, 0, 19, 25]
  const batcher = new Batcher(
    { maxRows: 100, maxBytes: 1_000_000, maxWaitMs: 20 },
    () => readings.shift() ?? 25,
  )
  await batcher.add(record(0))
  const batch = await batcher.take()
  assert.equal(batch?.records.length, 1, 'the last partial batch is not left behind')
})
