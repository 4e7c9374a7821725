import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MessagesStreamModes, MessagesStreamFallbackModes } from '@platformatic/kafka'
import {
  createAdmin,
  createConsumer,
  createProducer,
  ensureTopics,
  sendWithTimeout,
  type BytesConsumer,
} from '../../src/platform/kafka.ts'
import { configFor, testEnv, uniqueId } from '../support/harness.ts'

const env = testEnv()
const kafka = configFor(env).kafka
const topic = `${kafka.topicPrefix}roundtrip`
const TOTAL = 10_000
const KEYS = 37

before(async () => {
  const admin = createAdmin(kafka)
  try {
    await ensureTopics(admin, [{ name: topic, partitions: 6, replicationFactor: 1, configs: {} }])
  } finally {
    await admin.close()
  }
  const producer = createProducer(kafka, 'roundtrip')
  try {
    for (let start = 0; start < TOTAL; start += 1000) {
      const batch = Array.from({ length: 1000 }, (_, i) => {
        const seq = start + i
        return { topic, key: Buffer.from(`key-${seq % KEYS}`), value: Buffer.from(JSON.stringify({ seq })) }
      })
      await sendWithTimeout(producer, batch, 30_000)
    }
  } finally {
    await producer.close()
  }
})

interface Received {
  key: string
  seq: number
  partition: number
  offset: bigint
}

async function consume(
  consumer: BytesConsumer,
  limit: number,
  onMessage?: (r: Received) => Promise<void>,
): Promise<Received[]> {
  const stream = await consumer.consume({
    topics: [topic],
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
  })
  const received: Received[] = []
  for await (const message of stream) {
    const r = {
      key: message.key.toString(),
      seq: (JSON.parse(message.value.toString()) as { seq: number }).seq,
      partition: message.partition,
      offset: message.offset,
    }
    received.push(r)
    await onMessage?.(r)
    if (received.length >= limit) break
  }
  await stream.close()
  return received
}

test('kafka should deliver 10,000 keyed messages to a consumer group with per-key order kept, and a new member should resume exactly after the committed half', async () => {
  const groupId = `roundtrip-${uniqueId()}`

  // first member: read everything once without committing, checking completeness and order
  const reader = createConsumer(kafka, { groupId: `${groupId}-reader`, clientSuffix: 'reader' })
  const all = await consume(reader, TOTAL)
  await reader.close(true)
  assert.equal(all.length, TOTAL)
  assert.equal(new Set(all.map((r) => r.seq)).size, TOTAL, 'every message exactly once')
  const lastSeqByKey = new Map<string, number>()
  for (const r of all) {
    const previous = lastSeqByKey.get(r.key) ?? -1
    assert.ok(r.seq > previous, `key ${r.key}: ${r.seq} arrived after ${previous}`)
    lastSeqByKey.set(r.key, r.seq)
  }
  const partitionsOfKey = new Map<string, Set<number>>()
  for (const r of all) partitionsOfKey.set(r.key, (partitionsOfKey.get(r.key) ?? new Set()).add(r.partition))
  assert.ok(
    [...partitionsOfKey.values()].every((s) => s.size === 1),
    'each key stays on one partition',
  )

  // second member: process and commit the first half, then stop
  const first = createConsumer(kafka, { groupId, clientSuffix: 'first' })
  const half = await consume(first, TOTAL / 2)
  const nextOffsets = new Map<number, bigint>()
  for (const r of half) nextOffsets.set(r.partition, r.offset + 1n)
  await first.commit({
    offsets: [...nextOffsets].map(([partition, offset]) => ({ topic, partition, offset, leaderEpoch: 0 })),
  })
  await first.close(true)

  // a new member of the same group receives exactly the rest
  const second = createConsumer(kafka, { groupId, clientSuffix: 'second' })
  const rest = await consume(second, TOTAL - half.length)
  await second.close(true)
  const seen = new Set(half.map((r) => `${r.partition}:${r.offset}`))
  const restKeys = rest.map((r) => `${r.partition}:${r.offset}`)
  assert.equal(new Set(restKeys).size, rest.length, 'no message twice in the rest')
  assert.ok(
    restKeys.every((k) => !seen.has(k)),
    'nothing committed is delivered again',
  )
  assert.equal(half.length + rest.length, TOTAL)
  assert.deepEqual(new Set([...half, ...rest].map((r) => r.seq)), new Set(all.map((r) => r.seq)))
})

after(async () => {
  const admin = createAdmin(kafka)
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
  await admin.close()
})
