import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Batcher, type Batch } from '../../src/lander/batcher.ts'
import { FetchGate } from '../../src/lander/fetch-gate.ts'
import { LandedStats } from '../../src/lander/landed-stats.ts'
import { describeBatch, type LandingResult } from '../../src/lander/landing.ts'
import { LanderState } from '../../src/lander/lander-state.ts'
import { createLanderMetrics } from '../../src/lander/metrics.ts'
import { PartitionTracker } from '../../src/lander/partition-tracker.ts'
import { createWriter, type WriterDeps } from '../../src/lander/writer.ts'
import { StateTracker } from '../../src/platform/component-server.ts'
import { SretlError } from '../../src/platform/errors.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'
import { landerRecord } from '../support/lander-records.ts'

const COMMITTED_AT = 1_000_000

function result(batch: Batch): LandingResult {
  return {
    batch: describeBatch(batch.records),
    newRows: [],
    duplicates: batch.records.length,
    retimed: 0,
    deadLetters: [],
    transactionMs: 1,
    committedAt: COMMITTED_AT,
  }
}

/** A landing that fails with the queued errors first, then lands. */
function setup(failures: Error[], afterCommit?: WriterDeps['afterCommit']) {
  const gate = new FetchGate()
  const state = new LanderState(new StateTracker(), Date.now, () => gate.has('operator'))
  const metrics = createLanderMetrics(createMetricsRegistry({ component: 'lander' }))
  const landed: Batch[] = []
  const events: string[] = []
  const controller = new AbortController()
  const deps = {
    land: (batch: Batch) => {
      events.push(`land ${gate.reasons().join(',')}`)
      const failure = failures.shift()
      if (failure !== undefined) return Promise.reject(failure)
      landed.push(batch)
      return Promise.resolve(result(batch))
    },
    batcher: new Batcher({ maxRows: 2, maxBytes: 1_000_000, maxWaitMs: 60_000 }, () => 0),
    tracker: new PartitionTracker(),
    stats: new LandedStats(metrics),
    gate,
    state,
    retry: { baseMs: 1, maxMs: 2 },
    metrics,
    logger: silentLogger(),
    signal: controller.signal,
    fault: () => undefined,
    commitKafka: () => events.push('kafka commit'),
    ...(afterCommit ? { afterCommit } : {}),
  } satisfies WriterDeps
  return { deps, writer: createWriter(deps), landed, events, controller }
}

const add = async (batcher: Batcher, partition: number, ...offsets: number[]): Promise<void> => {
  for (const o of offsets) await batcher.add(landerRecord({ partition, offset: BigInt(o), bytes: 10 }))
}

const retryCounts = async (deps: WriterDeps): Promise<[string | number | undefined, number][]> =>
  (await deps.metrics.retries.get()).values.map((v) => [v.labels.reason, v.value])

test('a landed batch should advance the landed offsets, the totals and then commit Kafka', async () => {
  const { deps, writer, events } = setup([])
  const running = writer.run()
  await add(deps.batcher, 1, 10, 11)
  deps.batcher.close()
  await running
  assert.equal(deps.tracker.landedOffset(1), 12n)
  assert.equal(deps.stats.totals.batches, 1)
  assert.equal(deps.stats.totals.duplicates, 2)
  assert.equal(deps.stats.lastCommitAt, COMMITTED_AT)
  assert.deepEqual(events, ['land ', 'kafka commit'])
})

test('a batch that fails should be retried with fetching paused and the state FAILED, until it lands', async () => {
  const connectionLost = Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' })
  const { deps, writer, landed, events } = setup([connectionLost, connectionLost])
  deps.state.joined()
  const running = writer.run()
  await add(deps.batcher, 0, 0, 1)
  deps.batcher.close()
  await running
  assert.deepEqual(events, ['land ', 'land retry', 'land retry', 'kafka commit'])
  assert.equal(landed.length, 1)
  assert.equal(deps.state.snapshot().lastError?.code, 'LANDER_RETRYING')
  assert.deepEqual(await retryCounts(deps), [['pg_unavailable', 2]])
  assert.equal(deps.gate.has('retry'), false, 'fetching resumes once it landed')
  assert.equal(deps.state.failing, undefined)
  assert.equal(deps.state.snapshot().state, 'RUNNING')
})

test('a failure that is not retryable should be reported as LANDER_STUCK while it is retried', async () => {
  const missing = Object.assign(new Error('relation "sales_raw" does not exist'), { code: '42P01' })
  const { deps, writer } = setup([missing])
  const running = writer.run()
  await add(deps.batcher, 3, 5)
  deps.batcher.close()
  await running
  assert.equal(deps.state.snapshot().lastError?.code, 'LANDER_STUCK')
  assert.deepEqual(await retryCounts(deps), [['pg_error', 1]])
})

test('stopping while a batch fails should give up on it and drop what is in hand, unstored', async () => {
  const failures = Array.from({ length: 1000 }, () => new SretlError('KAFKA_UNAVAILABLE', 'dlq send'))
  const { deps, writer, landed, controller } = setup(failures)
  const running = writer.run()
  await add(deps.batcher, 0, 0, 1)
  await add(deps.batcher, 0, 2)
  while (deps.state.failing === undefined) await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(
    writer.landing?.records.map((r) => r.source.offset),
    [0n, 1n],
  )
  assert.deepEqual(deps.state.failing.partitions, new Set([0]))
  deps.state.beginStopping()
  controller.abort()
  await running
  assert.equal(landed.length, 0)
  assert.equal(deps.tracker.landedOffset(0), undefined)
  assert.equal(writer.landing, undefined)
  assert.equal(deps.state.snapshot().state, 'STOPPING')
  assert.equal(await deps.batcher.take(), undefined, 'the batch being filled was dropped too')
})

test('an afterCommit hook that throws should not stop the next batches from landing', async () => {
  let calls = 0
  const { deps, writer, landed } = setup([], () => {
    calls += 1
    throw new Error('publish failed')
  })
  const running = writer.run()
  await add(deps.batcher, 0, 0, 1, 2, 3)
  deps.batcher.close()
  await running
  assert.equal(landed.length, 2)
  assert.equal(calls, 2)
  assert.equal(deps.tracker.landedOffset(0), 4n)
})
