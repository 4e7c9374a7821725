/** Reading the test broker back: end offsets and every message of a topic. */
import { randomBytes } from 'node:crypto'
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka'
import type { KafkaConfig } from '../../src/platform/base-config.ts'
import { createConsumer } from '../../src/platform/kafka.ts'

export interface ReadMessage {
  readonly key: string
  readonly value: Buffer
  readonly partition: number
  readonly offset: bigint
  readonly timestamp: bigint
}

/** Messages in a topic so far (sum of the partitions' end offsets). */
export async function messageCount(kafka: KafkaConfig, topic: string): Promise<number> {
  const consumer = createConsumer(kafka, {
    groupId: `count-${randomBytes(4).toString('hex')}`,
    clientSuffix: 'count',
  })
  try {
    const offsets = await consumer.listOffsets({ topics: [topic] })
    return (offsets.get(topic) ?? []).reduce((sum, o) => sum + Number(o), 0)
  } finally {
    await consumer.close(true)
  }
}

/**
 * Every message of a topic from the beginning, once `expected` of them are there. A record the
 * consumer delivers twice (a re-fetch after a broker restart) is kept once, by partition and
 * offset, so that a re-delivery never stands in for a message not yet read.
 */
export async function readTopic(
  kafka: KafkaConfig,
  topic: string,
  expected: number,
  timeoutMs = 60_000,
  stats: { redelivered: number } = { redelivered: 0 },
): Promise<ReadMessage[]> {
  const consumer = createConsumer(kafka, {
    groupId: `read-${randomBytes(4).toString('hex')}`,
    clientSuffix: 'read',
    maxWaitTimeMs: 200,
  })
  const stream = await consumer.consume({
    topics: [topic],
    mode: MessagesStreamModes.EARLIEST,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
  })
  const messages: ReadMessage[] = []
  const seen = new Set<string>()
  const timer = setTimeout(() => void stream.close(), timeoutMs)
  try {
    if (expected > 0) {
      for await (const m of stream) {
        const position = `${m.partition}:${m.offset}`
        if (seen.has(position)) {
          stats.redelivered++
          continue
        }
        seen.add(position)
        messages.push({
          key: m.key.toString(),
          value: m.value,
          partition: m.partition,
          offset: m.offset,
          timestamp: m.timestamp,
        })
        if (messages.length >= expected) break
      }
    }
  } finally {
    clearTimeout(timer)
    await stream.close().catch(() => undefined)
    await consumer.close(true).catch(() => undefined)
  }
  return messages
}
