import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Ingest, type IngestEvent } from '../../src/gateway/ingest.ts'
import type { BytesMessage } from '../../src/platform/kafka.ts'
import { silentLogger } from '../../src/platform/logger.ts'

const event = (id: string): IngestEvent => ({
  eventId: id,
  key: Buffer.from('S0001'),
  value: Buffer.from(id),
})

/** An Ingest whose Kafka answers when the test says so. */
function setup(options: { maxInFlight?: number; dedupe?: number } = {}) {
  const clock = { now: 0 }
  const sends: { messages: BytesMessage[]; ack: () => void; fail: (err: Error) => void }[] = []
  const ingest = new Ingest({
    topic: 'sales',
    send: (messages) =>
      new Promise((resolve, reject) => sends.push({ messages, ack: () => resolve(undefined), fail: reject })),
    maxInFlight: options.maxInFlight ?? 100,
    dedupeCacheSize: options.dedupe ?? 3,
    retryAfterMs: 2000,
    clock: () => clock.now,
    logger: silentLogger(),
  })
  return { ingest, sends, clock }
}

test('a submit should resolve only once Kafka acknowledged, and a retry of an acknowledged event should not be written again', async () => {
  const { ingest, sends } = setup()
  const first = ingest.submit([event('a'), event('b'), event('a')], 1000)
  assert.equal(sends.length, 1)
  assert.deepEqual(
    sends[0]?.messages.map((m) => m.value?.toString()),
    ['a', 'b'],
    'the same id twice in one request is written once',
  )
  assert.equal(ingest.inFlightEvents, 2)
  sends[0]?.ack()
  assert.deepEqual(await first, { ok: true, written: 2, duplicates: 1 })
  assert.equal(ingest.inFlightEvents, 0)
  const retry = ingest.submit([event('a'), event('c')], 1000)
  assert.deepEqual(
    sends[1]?.messages.map((m) => m.value?.toString()),
    ['c'],
    'only the new event is written',
  )
  sends[1]?.ack()
  assert.deepEqual(await retry, { ok: true, written: 1, duplicates: 1 })
})

test('a retry of an event still on its way should join that send, not write it again', async () => {
  const { ingest, sends } = setup()
  const original = ingest.submit([event('x')], 1000)
  const retry = ingest.submit([event('x')], 1000)
  assert.equal(sends.length, 1, 'one write for both')
  sends[0]?.ack()
  assert.deepEqual(await original, { ok: true, written: 1, duplicates: 0 })
  assert.deepEqual(await retry, { ok: true, written: 0, duplicates: 1 })
})

test('a timeout should answer KAFKA_SEND_TIMEOUT, keep the events counted until Kafka settles, and refuse new ones for a while', async () => {
  const { ingest, sends, clock } = setup()
  const slow = await ingest.submit([event('s1'), event('s2')], 20)
  assert.ok(!slow.ok && slow.code === 'KAFKA_SEND_TIMEOUT')
  assert.equal(ingest.inFlightEvents, 2, 'the client still holds them')
  assert.equal(ingest.kafkaAvailable, false)
  const refused = await ingest.submit([event('n1')], 20)
  assert.ok(!refused.ok && refused.code === 'KAFKA_UNAVAILABLE')
  assert.equal(sends.length, 1, 'nothing new handed to a Kafka that does not answer')
  clock.now += 2000
  assert.equal(ingest.kafkaAvailable, true)
  sends[0]?.ack()
  await new Promise((r) => setImmediate(r))
  assert.equal(ingest.inFlightEvents, 0)
  assert.deepEqual(
    await ingest.submit([event('s1')], 20),
    { ok: true, written: 0, duplicates: 1 },
    'landed late: known now',
  )
})

test('a request beyond the in-flight bound should be refused at once, and a failed send should be reported', async () => {
  const { ingest, sends } = setup({ maxInFlight: 3 })
  const pending = ingest.submit([event('1'), event('2')], 1000)
  const over = await ingest.submit([event('3'), event('4')], 1000)
  assert.ok(!over.ok && over.code === 'GATEWAY_OVERLOADED')
  sends[0]?.fail(new Error('NOT_ENOUGH_REPLICAS'))
  const failed = await pending
  assert.ok(!failed.ok && failed.code === 'KAFKA_UNAVAILABLE' && /NOT_ENOUGH_REPLICAS/.test(failed.message))
  assert.equal(ingest.inFlightEvents, 0)
  assert.match(ingest.lastFailure ?? '', /NOT_ENOUGH_REPLICAS/)
})

test('the memory of acknowledged ids should be bounded, forgetting the oldest first', async () => {
  const { ingest, sends } = setup({ dedupe: 2 })
  for (const id of ['p', 'q', 'r']) {
    const done = ingest.submit([event(id)], 1000)
    sends.at(-1)?.ack()
    await done
  }
  const again = ingest.submit([event('p'), event('r')], 1000)
  assert.equal(sends.at(-1)?.messages[0]?.value?.toString(), 'p', 'p was forgotten and is written again')
  sends.at(-1)?.ack()
  assert.deepEqual(await again, { ok: true, written: 1, duplicates: 1 })
})
