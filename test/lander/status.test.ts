import assert from 'node:assert/strict'
import { test } from 'node:test'
import { landerOwnSection } from '../../src/lander/config.ts'
import { LatencyWindow } from '../../src/lander/latency-window.ts'
import { PartitionTracker } from '../../src/lander/partition-tracker.ts'
import type { LanderRecord } from '../../src/lander/records.ts'
import { buildStatus, type StatusInput } from '../../src/lander/status.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { landerRecord } from '../support/lander-records.ts'

const record = (partition: number, offset: bigint, produceTimeMs: number): LanderRecord =>
  landerRecord({ partition, offset, produceTimeMs, bytes: 10 })

function input(overrides: Partial<StatusInput>): StatusInput {
  const tracker = new PartitionTracker()
  tracker.assign([0, 1, 2], {
    stored: new Map([
      [0, 100n],
      [1, 50n],
      [2, 10n],
    ]),
    earliest: new Map(),
    latest: new Map([
      [0, 100n],
      [1, 80n],
      [2, 40n],
    ]),
  })
  return {
    now: 100_000,
    state: { state: 'RUNNING', since: '2026-11-30T00:00:00.000Z' },
    config: loadConfig({}, landerOwnSection),
    topic: 'sales.events.v1',
    tracker,
    lag: {
      endOffsets: new Map([
        [0, 100n],
        [1, 80n],
        [2, 40n],
      ]),
      at: 99_000,
    },
    failing: undefined,
    paused: false,
    fetchPausedFor: [],
    filling: [record(1, 60n, 91_000), record(1, 61n, 92_000)],
    landing: [record(1, 50n, 90_000)],
    streamBuffered: 7,
    lastLandedProduceMs: new Map([[2, 70_000]]),
    totals: { rows: 1, duplicates: 0, deadLetters: 0, batches: 1, skippedLanded: 0, skippedInHand: 0 },
    lastCommitAt: 99_500,
    eventLatency: new LatencyWindow(),
    produceLatency: new LatencyWindow(),
    ...overrides,
  }
}

test('status should give each partition its lag in messages and the age of its oldest record not yet landed', () => {
  const status = buildStatus(input({}))
  assert.deepEqual(
    status.details.partitions.map((p) => [
      p.partition,
      p.state,
      p.storedOffset,
      p.endOffset,
      p.lagMessages,
      p.lagSeconds,
    ]),
    [
      [0, 'RUNNING', 100, 100, 0, 0],
      [1, 'RUNNING', 50, 80, 30, 10],
      // nothing of partition 2 in memory: the age of the last landed record bounds it
      [2, 'RUNNING', 10, 40, 30, 30],
    ],
  )
  assert.equal(status.details.buffered.records, 10)
  assert.equal(status.details.buffered.limitRecords, 2 * 20_000 + 2048)
})

test('status should mark the partitions of a failing batch FAILED with the error, the others PAUSED when paused', () => {
  const error = { code: 'LANDER_RETRYING', message: 'connection refused', at: '2026-11-30T00:00:01.000Z' }
  const status = buildStatus(input({ paused: true, failing: { error, partitions: new Set([1]) } }))
  assert.deepEqual(
    status.details.partitions.map((p) => [p.partition, p.state, p.lastError?.code ?? null]),
    [
      [0, 'PAUSED', null],
      [1, 'FAILED', 'LANDER_RETRYING'],
      [2, 'PAUSED', null],
    ],
  )
})
