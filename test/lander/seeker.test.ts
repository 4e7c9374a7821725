import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FetchGate } from '../../src/lander/fetch-gate.ts'
import { LanderState } from '../../src/lander/lander-state.ts'
import { createLanderMetrics } from '../../src/lander/metrics.ts'
import { PartitionTracker } from '../../src/lander/partition-tracker.ts'
import { createSeeker, type SeekerDeps, type SeekTarget } from '../../src/lander/seeker.ts'
import { StateTracker } from '../../src/platform/component-server.ts'
import type { BytesConsumer } from '../../src/platform/kafka.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'
import type { Queryable } from '../../src/platform/sql.ts'

const TOPIC = 'sales.events.v1'

/** A consumer assigned partitions 0 and 1, each holding offsets 0 to 100. */
function fakeConsumer(): BytesConsumer {
  const consumer = {
    assignments: [{ topic: TOPIC, partitions: [1, 0] }],
    listOffsets: (options: { timestamp?: bigint }) =>
      Promise.resolve(new Map([[TOPIC, options.timestamp === -2n ? [0n, 0n] : [100n, 100n]]])),
  }
  return consumer as unknown as BytesConsumer
}

/** consumer_offsets answering with the queued stored offsets (or failures), one query each. */
function fakeDb(answers: (Record<number, string> | Error | Promise<Record<number, string>>)[]): Queryable {
  return {
    query: async () => {
      const answer = await answers.shift()
      if (answer === undefined) throw new Error('no answer queued')
      if (answer instanceof Error) throw answer
      return {
        rows: Object.entries(answer).map(([p, o]) => ({ partition: Number(p), next_offset: o })),
      } as never
    },
  }
}

function setup(db: Queryable) {
  const gate = new FetchGate()
  const state = new LanderState(new StateTracker(), Date.now, () => gate.has('operator'))
  let joins = 0
  const deps = {
    consumer: fakeConsumer(),
    db,
    tracker: new PartitionTracker(),
    group: 'lander',
    topic: TOPIC,
    retry: { baseMs: 1, maxMs: 1 },
    gate,
    state,
    metrics: createLanderMetrics(createMetricsRegistry({ component: 'lander' })),
    logger: silentLogger(),
    signal: new AbortController().signal,
    onJoined: () => (joins += 1),
  } satisfies SeekerDeps
  return { deps, onOffsets: createSeeker(deps), joins: () => joins }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1))
}

test('a join should hold fetching, set the stored offsets as fetch positions, then release it', async () => {
  const { deps, onOffsets, joins } = setup(fakeDb([{ 0: '40', 1: '7' }]))
  const target: SeekTarget = { offsetsToFetch: new Map([[`${TOPIC}:0`, 99n]]) }
  onOffsets(target)
  assert.equal(deps.gate.has('seek'), true)
  await until(() => joins() === 1)
  assert.deepEqual(
    target.offsetsToFetch,
    new Map([
      [`${TOPIC}:0`, 40n],
      [`${TOPIC}:1`, 7n],
    ]),
  )
  assert.equal(deps.tracker.landedOffset(0), 40n)
  assert.equal(deps.gate.has('seek'), false)
  assert.equal(deps.state.ready, true)
  assert.equal(deps.state.snapshot().state, 'RUNNING')
})

test('reading the stored offsets should be retried while it fails, reported as LANDER_RETRYING', async () => {
  const { deps, onOffsets, joins } = setup(fakeDb([new Error('connection refused'), { 0: '1', 1: '2' }]))
  const target: SeekTarget = { offsetsToFetch: new Map() }
  onOffsets(target)
  await until(() => joins() === 1)
  assert.equal(target.offsetsToFetch.get(`${TOPIC}:1`), 2n)
  assert.equal(deps.state.snapshot().lastError?.code, 'LANDER_RETRYING')
  assert.deepEqual(
    (await deps.metrics.retries.get()).values.map((v) => [v.labels.reason, v.value]),
    [['pg_unavailable', 1]],
  )
})

test('a newer join should supersede a seek still reading, whose result is then ignored', async () => {
  let answerFirst: (stored: Record<number, string>) => void = () => undefined
  const first = new Promise<Record<number, string>>((resolve) => (answerFirst = resolve))
  const { deps, onOffsets, joins } = setup(fakeDb([first, { 0: '50', 1: '50' }]))
  const older: SeekTarget = { offsetsToFetch: new Map() }
  const newer: SeekTarget = { offsetsToFetch: new Map() }
  onOffsets(older)
  onOffsets(newer)
  await until(() => joins() === 1)
  answerFirst({ 0: '3', 1: '3' })
  await new Promise((resolve) => setTimeout(resolve, 5))
  assert.equal(joins(), 1)
  assert.equal(older.offsetsToFetch.size, 0)
  assert.equal(newer.offsetsToFetch.get(`${TOPIC}:0`), 50n)
  assert.equal(deps.gate.has('seek'), false)
})
