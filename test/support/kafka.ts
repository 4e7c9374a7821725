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

/** Every message of a topic from the beginning, once `expected` of them are there. */
export async function readTopic(
  kafka: KafkaConfig,
  topic: string,
  expected: number,
  timeoutMs = 60_000,
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
  const timer = setTimeout(() => void stream.close(), timeoutMs)
  try {
    if (expected > 0) {
      for await (const m of stream) {
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
