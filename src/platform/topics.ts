/**
 * The pipeline's topics: names (with the configured prefix) and how each is created.
 */
import type { KafkaConfig } from './base-config.ts'
import type { TopicSpec } from './kafka.ts'

/**
 * Headers the lander puts on a dead letter, saying why and where it came from: a contract the
 * control panel browses and replays by (docs/architecture.md, "Dead letters").
 */
export const DLQ_HEADERS = {
  code: 'error.code',
  message: 'error.message',
  sourceTopic: 'source.topic',
  sourcePartition: 'source.partition',
  sourceOffset: 'source.offset',
  firstSeen: 'first.seen',
} as const

export interface TopicNames {
  readonly salesEvents: string
  readonly salesDlq: string
  /** The aggregates' compacted topics (docs/aggregates.md), keyed by the aggregate's key. */
  readonly aggregates: {
    readonly sales_minute: string
    readonly sales_hourly: string
    readonly store_rolling_1h: string
    readonly top_skus: string
  }
}

export function topicNames(kafka: Pick<KafkaConfig, 'topicPrefix'>): TopicNames {
  const p = kafka.topicPrefix
  return {
    salesEvents: `${p}sales.events.v1`,
    salesDlq: `${p}sales.events.dlq.v1`,
    aggregates: {
      sales_minute: `${p}agg.sales_minute.v1`,
      sales_hourly: `${p}agg.sales_hourly.v1`,
      store_rolling_1h: `${p}agg.store_rolling_1h.v1`,
      top_skus: `${p}agg.top_skus.v1`,
    },
  }
}

export function allTopicNames(kafka: Pick<KafkaConfig, 'topicPrefix'>): string[] {
  const names = topicNames(kafka)
  return [names.salesEvents, names.salesDlq, ...Object.values(names.aggregates)]
}

/** Large enough for a 2 MB poison message to reach the dead-letter topic instead of being refused. */
const MAX_MESSAGE_BYTES = String(8 * 1024 * 1024)

export function topicSpecs(
  kafka: Pick<KafkaConfig, 'topicPrefix' | 'salesPartitions' | 'replicationFactor'> &
    Partial<Pick<KafkaConfig, 'dlqRetentionDays'>>,
): TopicSpec[] {
  const names = topicNames(kafka)
  const minIsr = String(Math.min(2, kafka.replicationFactor))
  return [
    {
      name: names.salesEvents,
      partitions: kafka.salesPartitions,
      replicationFactor: kafka.replicationFactor,
      configs: { 'max.message.bytes': MAX_MESSAGE_BYTES, 'min.insync.replicas': minIsr },
    },
    {
      name: names.salesDlq,
      partitions: Math.min(3, kafka.salesPartitions),
      replicationFactor: kafka.replicationFactor,
      configs: {
        'max.message.bytes': MAX_MESSAGE_BYTES,
        'min.insync.replicas': minIsr,
        'retention.ms': String((kafka.dlqRetentionDays ?? 30) * 24 * 3600 * 1000),
      },
    },
    ...Object.values(names.aggregates).map((name) => ({
      name,
      partitions: Math.min(3, kafka.salesPartitions),
      replicationFactor: kafka.replicationFactor,
      configs: {
        'cleanup.policy': 'compact',
        'min.insync.replicas': minIsr,
        // segments roll hourly so the cleaner can compact all but the newest hour
        'segment.ms': String(3600 * 1000),
        'min.cleanable.dirty.ratio': '0.1',
      },
    })),
  ]
}
