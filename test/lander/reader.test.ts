import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Batcher } from '../../src/lander/batcher.ts'
import { FetchGate } from '../../src/lander/fetch-gate.ts'
import { LanderState } from '../../src/lander/lander-state.ts'
import { createLanderMetrics } from '../../src/lander/metrics.ts'
import { PartitionTracker } from '../../src/lander/partition-tracker.ts'
import { createReader, type ReaderDeps } from '../../src/lander/reader.ts'
import type { SeekTarget } from '../../src/lander/seeker.ts'
import { StateTracker } from '../../src/platform/component-server.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'
import { FakeStream, fakeConsumer, type ConsumeOutcome } from '../support/fake-consumer.ts'

function setup(outcomes: ConsumeOutcome[], maxRows = 100) {
  const gate = new FetchGate()
  const state = new LanderState(new StateTracker(), Date.now, () => gate.has('operator'))
  const consumer = fakeConsumer(outcomes)
  const seeks: SeekTarget[] = []
  const deps = {
    consumer,
    topic: 'sales.events.v1',
    fetch: { maxBytes: 1_000_000, maxRecords: 100 },
    retry: { baseMs: 1, maxMs: 1 },
    tracker: new PartitionTracker(),
    batcher: new Batcher({ maxRows, maxBytes: 1_000_000, maxWaitMs: 60_000 }, Date.now),
    gate,
    state,
    metrics: createLanderMetrics(createMetricsRegistry({ component: 'lander' })),
    logger: silentLogger(),
    clock: Date.now,
    signal: new AbortController().signal,
    onOffsets: (target: SeekTarget) => seeks.push(target),
    skipped: { skippedLanded: 0, skippedInHand: 0 },
  } satisfies ReaderDeps
  return { deps, reader: createReader(deps), consumer, seeks }
}

const offsets = (batch: { records: readonly { source: { offset: bigint } }[] } | undefined): bigint[] =>
  batch?.records.map((r) => r.source.offset) ?? []

test('the reader should batch new records and drop, counting them, those landed or already in hand', async () => {
  const stream = new FakeStream()
  const { deps, reader } = setup([stream], 3)
  deps.tracker.landed(0, 5n)
  const running = reader.run()
  stream.push(
    { partition: 0, offset: 3n },
    { partition: 0, offset: 5n },
    { partition: 0, offset: 6n },
    { partition: 0, offset: 5n },
    { partition: 0, offset: 7n },
  )
  assert.deepEqual(offsets(await deps.batcher.take()), [5n, 6n, 7n])
  assert.deepEqual(deps.skipped, { skippedLanded: 1, skippedInHand: 1 })
  assert.equal(reader.stream, stream)
  deps.state.beginStopping()
  await stream.close()
  await running
  assert.equal(await deps.batcher.take(), undefined, 'the batcher is closed when the reader ends')
})

test('a group join on the stream should be handed to the seeker with that stream', async () => {
  const stream = new FakeStream()
  const { deps, reader, seeks } = setup([stream])
  const running = reader.run()
  await new Promise((resolve) => setImmediate(resolve))
  stream.emit('offsets')
  assert.deepEqual(seeks, [stream])
  deps.state.beginStopping()
  await stream.close()
  await running
})

test('a consume that fails should be retried on a new stream, counted as a Kafka retry and reported', async () => {
  const stream = new FakeStream()
  const { deps, reader, consumer } = setup([new Error('broker down'), stream], 1)
  const running = reader.run()
  stream.push({ partition: 2, offset: 0n })
  assert.deepEqual(offsets(await deps.batcher.take()), [0n])
  assert.equal(consumer.opened, 2)
  const retries = await deps.metrics.retries.get()
  assert.deepEqual(
    retries.values.map((v) => [v.labels.reason, v.value]),
    [['kafka', 1]],
  )
  assert.equal(deps.state.snapshot().lastError?.code, 'KAFKA_UNAVAILABLE')
  deps.state.beginStopping()
  await stream.close()
  await running
})

test('a stream that ends should be replaced, losing ready until the next join', async () => {
  const first = new FakeStream()
  const second = new FakeStream()
  const { deps, reader, consumer } = setup([first, second], 1)
  deps.state.joined()
  const running = reader.run()
  first.end()
  second.push({ partition: 0, offset: 0n })
  assert.deepEqual(offsets(await deps.batcher.take()), [0n])
  assert.equal(consumer.opened, 2)
  assert.equal(deps.state.ready, false)
  deps.state.beginStopping()
  await second.close()
  await running
})

test('a new stream should start paused when fetching is held', async () => {
  const stream = new FakeStream()
  const { deps, reader } = setup([stream])
  deps.gate.pause('operator')
  const running = reader.run()
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(stream.calls, ['pause'])
  deps.state.beginStopping()
  await stream.close()
  await running
})

test('a stream that arrives after stop was called should be closed and the reader end', async () => {
  const stream = new FakeStream()
  let arrive: (s: FakeStream) => void = () => undefined
  const { deps, reader } = setup([new Promise<FakeStream>((resolve) => (arrive = resolve))])
  const running = reader.run()
  deps.state.beginStopping()
  arrive(stream)
  await running
  assert.equal(stream.closed, true)
  assert.equal(reader.stream, undefined)
})
