/**
 * Readiness of a component that writes to Kafka: the broker answers and the topic exists (a
 * produce to a missing topic would wait forever, since brokers do not auto-create topics here).
 * One metadata request at most every `ttlMs`, shared by every caller in between, so a probing
 * load balancer cannot turn /readyz into load on Kafka.
 */
import { Admin } from '@platformatic/kafka'
import { connection, type ConnectionSettings } from './kafka.ts'
import type { Readiness } from './component-server.ts'
import type { ErrorCode } from './errors.ts'

export interface KafkaReadiness extends Readiness {
  /** Why not ready, as an error code (KAFKA_UNAVAILABLE or TOPIC_MISSING). */
  readonly code?: ErrorCode
}

type Settings = ConnectionSettings

/** One check: the broker answers and lists `topic`. */
export async function probeTopic(kafka: Settings, topic: string, timeoutMs = 3000): Promise<KafkaReadiness> {
  const admin = new Admin({
    ...connection(kafka, 'probe'),
    retries: 0,
    connectTimeout: timeoutMs,
    requestTimeout: timeoutMs,
  })
  try {
    const topics = await admin.listTopics()
    if (topics.includes(topic)) return { ready: true, reasons: [] }
    return {
      ready: false,
      code: 'TOPIC_MISSING',
      reasons: [`topic ${topic} does not exist; create it with \`sretl topics\``],
    }
  } catch {
    return {
      ready: false,
      code: 'KAFKA_UNAVAILABLE',
      reasons: [`Kafka does not answer at ${kafka.bootstrapServers.join(',')}`],
    }
  } finally {
    await admin.close().catch(() => undefined)
  }
}

export function kafkaReadiness(kafka: Settings, topic: string, ttlMs = 2000): () => Promise<KafkaReadiness> {
  let checkedAt = 0
  let last: KafkaReadiness = { ready: false, reasons: ['Kafka not checked yet'] }
  let running: Promise<KafkaReadiness> | undefined
  return () => {
    if (Date.now() - checkedAt < ttlMs) return Promise.resolve(last)
    running ??= probeTopic(kafka, topic, Math.min(3000, kafka.requestTimeoutMs))
      .then((result) => {
        last = result
        checkedAt = Date.now()
        return result
      })
      .finally(() => {
        running = undefined
      })
    return running
  }
}
