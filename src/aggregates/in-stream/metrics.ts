/**
 * Metrics of the aggregates (docs/metrics.md). Labels are bounded: aggregate (four names),
 * lateness (five buckets).
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import {
  latencyBucketsSeconds,
  operationBucketsSeconds,
  type MetricsRegistry,
} from '../../platform/metrics.ts'

export function createAggregatesMetrics(registry: MetricsRegistry) {
  const registers = [registry]
  return {
    freshness: new Histogram({
      name: 'sretl_aggregates_window_freshness_seconds',
      help: 'From a window’s end to the acknowledgement of its first value published after the end (row committed and topic value written), for windows still within their grace period.',
      labelNames: ['aggregate'],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    corrections: new Counter({
      name: 'sretl_aggregates_late_corrections_total',
      help: 'Aggregate rows changed (or created) by data that arrived after their window was final, by how long after the window became final (watermark − window end − grace period).',
      labelNames: ['aggregate', 'lateness'],
      registers,
    }),
    published: new Counter({
      name: 'sretl_aggregates_published_total',
      help: 'Aggregate row versions published to their compacted topic and acknowledged.',
      labelNames: ['aggregate'],
      registers,
    }),
    finalized: new Counter({
      name: 'sretl_aggregates_finalized_total',
      help: 'Windows marked final (their end + grace period passed the watermark).',
      labelNames: ['aggregate'],
      registers,
    }),
    unpublished: new Gauge({
      name: 'sretl_aggregates_unpublished_rows',
      help: 'Aggregate rows whose latest version is not yet confirmed on their topic (after the last publish cycle this lander ran).',
      labelNames: ['aggregate'],
      registers,
    }),
    pendingSkuDeltas: new Gauge({
      name: 'sretl_aggregates_pending_sku_deltas',
      help: 'Per-SKU deltas appended by landings and not yet folded into sku_sales_hourly (after the last publish cycle this lander ran).',
      registers,
    }),
    watermark: new Gauge({
      name: 'sretl_aggregates_watermark_timestamp_seconds',
      help: 'The event-time watermark (Unix seconds): windows ending a grace period before it are final.',
      registers,
    }),
    transactionSeconds: new Histogram({
      name: 'sretl_aggregates_transaction_seconds',
      help: 'Time the aggregates added to a landing transaction (pre-aggregation and upserts).',
      buckets: [...operationBucketsSeconds],
      registers,
    }),
    cycleSeconds: new Histogram({
      name: 'sretl_aggregates_cycle_seconds',
      help: 'Duration of a publish cycle that held the lock (watermark, final flags, rolling, top SKUs, publish).',
      buckets: [...operationBucketsSeconds],
      registers,
    }),
    cycleFailures: new Counter({
      name: 'sretl_aggregates_cycle_failures_total',
      help: 'Publish cycles that failed and were rolled back (retried by the next cycle).',
      registers,
    }),
  }
}

export type AggregatesMetrics = ReturnType<typeof createAggregatesMetrics>
