import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLag } from '../../src/lander/lag.ts'
import { createLanderMetrics } from '../../src/lander/metrics.ts'
import type { LanderStatus } from '../../src/lander/status.ts'
import type { BytesConsumer } from '../../src/platform/kafka.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'

const TOPIC = 'sales.events.v1'

function statusWith(
  partitions: { partition: number; lagMessages: number | null; lagSeconds: number | null }[],
) {
  return { details: { partitions } } as unknown as LanderStatus
}

test('refreshing should keep the end offsets read and set the gauges from the status', async () => {
  const metrics = createLanderMetrics(createMetricsRegistry({ component: 'lander' }))
  const consumer = {
    listOffsets: () => Promise.resolve(new Map([[TOPIC, [10n, 20n]]])),
  } as unknown as Pick<BytesConsumer, 'listOffsets'>
  const lag = createLag({
    consumer,
    topic: TOPIC,
    clock: () => 5_000,
    logger: silentLogger(),
    metrics,
    status: () =>
      statusWith([
        { partition: 0, lagMessages: 4, lagSeconds: 2.5 },
        { partition: 1, lagMessages: null, lagSeconds: null },
      ]),
  })
  assert.equal(lag.snapshot().at, undefined)
  await lag.refresh()
  assert.deepEqual(lag.snapshot(), {
    endOffsets: new Map([
      [0, 10n],
      [1, 20n],
    ]),
    at: 5_000,
  })
  const messages = await metrics.lagMessages.get()
  assert.deepEqual(
    messages.values.map((v) => [v.labels.partition, v.value]),
    [['0', 4]],
  )
  const seconds = await metrics.lagSeconds.get()
  assert.deepEqual(
    seconds.values.map((v) => [v.labels.partition, v.value]),
    [['0', 2.5]],
  )
})

test('a failed read should keep the previous end offsets and still update the gauges', async () => {
  const metrics = createLanderMetrics(createMetricsRegistry({ component: 'lander' }))
  let calls = 0
  const consumer = {
    listOffsets: () => {
      calls += 1
      return calls === 1
        ? Promise.resolve(new Map([[TOPIC, [7n]]]))
        : Promise.reject(new Error('broker down'))
    },
  } as unknown as Pick<BytesConsumer, 'listOffsets'>
  let lagMessages = 3
  const lag = createLag({
    consumer,
    topic: TOPIC,
    clock: () => calls,
    logger: silentLogger(),
    metrics,
    status: () => statusWith([{ partition: 0, lagMessages, lagSeconds: 1 }]),
  })
  await lag.refresh()
  lagMessages = 9
  await lag.refresh()
  assert.deepEqual(lag.snapshot(), { endOffsets: new Map([[0, 7n]]), at: 1 })
  const messages = await metrics.lagMessages.get()
  assert.deepEqual(
    messages.values.map((v) => v.value),
    [9],
  )
})
