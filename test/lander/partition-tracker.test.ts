import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PartitionTracker } from '../../src/lander/partition-tracker.ts'

const offsets = (entries: [number, bigint][]): Map<number, bigint> => new Map(entries)

test('a partition should start at its stored offset, or at the earliest offset when none is stored', () => {
  const tracker = new PartitionTracker()
  const positions = tracker.assign([0, 1], {
    stored: offsets([[0, 40n]]),
    earliest: offsets([
      [0, 0n],
      [1, 5n],
    ]),
    latest: offsets([
      [0, 100n],
      [1, 100n],
    ]),
  })
  assert.deepEqual(positions, [
    { partition: 0, position: 40n },
    { partition: 1, position: 5n, note: 'no stored offset' },
  ])
  assert.deepEqual(tracker.assigned(), [0, 1])
  assert.equal(tracker.landedOffset(0), 40n)
})

test('records below the stored offset should be dropped as landed, records already taken as in hand', () => {
  const tracker = new PartitionTracker()
  tracker.assign([0], {
    stored: offsets([[0, 10n]]),
    earliest: offsets([[0, 0n]]),
    latest: offsets([[0, 99n]]),
  })
  assert.equal(tracker.admit(0, 9n), 'landed')
  assert.equal(tracker.admit(0, 10n), 'take')
  assert.equal(tracker.admit(0, 11n), 'take')
  assert.equal(tracker.admit(0, 10n), 'in-hand', 'a re-delivery of a record in a batch')
  assert.equal(tracker.admit(0, 12n), 'take')
  tracker.landed(0, 12n)
  assert.equal(tracker.admit(0, 11n), 'landed')
  tracker.landed(0, 5n)
  assert.equal(tracker.landedOffset(0), 12n, 'stored offsets never move backwards')
})

test('a gap should start a new run without dropping records older than it', () => {
  const tracker = new PartitionTracker()
  assert.equal(tracker.admit(0, 100n), 'take')
  assert.equal(tracker.admit(0, 101n), 'take')
  assert.equal(tracker.admit(0, 200n), 'take', 'offsets may skip (transaction markers)')
  assert.equal(tracker.admit(0, 150n), 'take', 'older than the run: taken, the key dedupes')
  assert.equal(tracker.admit(0, 200n), 'in-hand')
})

test('after a rebalance a partition still held should resume after what is in hand, not fetch it again', () => {
  const tracker = new PartitionTracker()
  tracker.assign([0], {
    stored: offsets([[0, 50n]]),
    earliest: offsets([[0, 0n]]),
    latest: offsets([[0, 500n]]),
  })
  for (let o = 50n; o < 120n; o += 1n) assert.equal(tracker.admit(0, o), 'take')
  tracker.landed(0, 80n)
  const [held] = tracker.assign([0, 1], {
    stored: offsets([[0, 80n]]),
    earliest: offsets([
      [0, 0n],
      [1, 0n],
    ]),
    latest: offsets([
      [0, 500n],
      [1, 0n],
    ]),
  })
  assert.deepEqual(held, { partition: 0, position: 120n, note: 'in hand' })
  // another lander landed further while this one did not hold the partition
  const [moved] = tracker.assign([0], {
    stored: offsets([[0, 300n]]),
    earliest: offsets([[0, 0n]]),
    latest: offsets([[0, 500n]]),
  })
  assert.deepEqual(moved, { partition: 0, position: 300n })
  assert.equal(tracker.admit(0, 250n), 'landed')
  assert.equal(tracker.isAssigned(1), false)
})

test('a stored offset Kafka no longer has should resume at the earliest, one beyond the end at the start', () => {
  const tracker = new PartitionTracker()
  const positions = tracker.assign([0, 1], {
    stored: offsets([
      [0, 5n],
      [1, 900n],
    ]),
    earliest: offsets([
      [0, 20n],
      [1, 0n],
    ]),
    latest: offsets([
      [0, 50n],
      [1, 10n],
    ]),
  })
  assert.deepEqual(positions, [
    { partition: 0, position: 20n, note: 'stored offset expired' },
    { partition: 1, position: 0n, note: 'stored offset beyond the end' },
  ])
  assert.equal(
    tracker.admit(1, 3n),
    'take',
    'nothing below a stored offset that cannot be trusted is dropped',
  )
})
