/**
 * The lander's metrics (docs/metrics.md describes each; alerts and dashboards use these names).
 * Labels are bounded: partition (the topic's partition count), code (the error catalogue),
 * reason (a fixed set).
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import { latencyBucketsSeconds, operationBucketsSeconds, type MetricsRegistry } from '../platform/metrics.ts'
import type { LandingResult } from './landing.ts'

export const RETRY_REASONS = ['pg_unavailable', 'pg_conflict', 'pg_error', 'kafka', 'other'] as const
export type RetryReason = (typeof RETRY_REASONS)[number]

export function createLanderMetrics(registry: MetricsRegistry) {
  const registers = [registry]
  return {
    rows: new Counter({
      name: 'sretl_lander_rows_total',
      help: 'Rows landed in sales_raw that were not there before.',
      registers,
    }),
    duplicates: new Counter({
      name: 'sretl_lander_duplicates_total',
      help: 'Valid records whose event_id had already landed (re-sends, re-deliveries after a crash, rebalance or replay).',
      registers,
    }),
    retimedDuplicates: new Counter({
      name: 'sretl_lander_retimed_duplicates_total',
      help: 'Duplicates re-sent with an event_time other than the one that landed (a till that corrected its clock); never landed twice (ADR 0061).',
      registers,
    }),
    batches: new Counter({
      name: 'sretl_lander_batches_total',
      help: 'Batches committed.',
      registers,
    }),
    batchSize: new Histogram({
      name: 'sretl_lander_batch_size_rows',
      help: 'Records per committed batch.',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000],
      registers,
    }),
    transactionSeconds: new Histogram({
      name: 'sretl_lander_transaction_seconds',
      help: 'Duration of a committed landing transaction (COPY, insert, dead letters, offsets, commit).',
      buckets: [...operationBucketsSeconds],
      registers,
    }),
    eventToCommitSeconds: new Histogram({
      name: 'sretl_lander_event_to_commit_seconds',
      help: 'From a new row’s event_time (till clock) to the commit that landed it.',
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    produceToCommitSeconds: new Histogram({
      name: 'sretl_lander_produce_to_commit_seconds',
      help: 'From a new row’s Kafka record timestamp (produce time) to the commit that landed it.',
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    lagMessages: new Gauge({
      name: 'sretl_lander_lag_messages',
      help: 'Records of a partition not yet landed: end offset minus the stored next offset.',
      labelNames: ['partition'],
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'sretl_lander_lag_seconds',
      help: 'Age (by Kafka timestamp) of the oldest record of a partition not yet landed; 0 when none waits.',
      labelNames: ['partition'],
      registers,
    }),
    dlq: new Counter({
      name: 'sretl_lander_dlq_total',
      help: 'Records sent to the dead-letter topic, by error code.',
      labelNames: ['code'],
      registers,
    }),
    retries: new Counter({
      name: 'sretl_lander_retries_total',
      help: 'Failed attempts to land a batch (or to read stored offsets) that were retried, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    defaultPartitionRows: new Gauge({
      name: 'sretl_lander_default_partition_rows',
      help: 'Rows in sales_raw_default: events outside every daily partition (alert when above 0).',
      registers,
    }),
    paused: new Gauge({
      name: 'sretl_lander_paused',
      help: '1 while an operator has paused the lander, else 0.',
      registers,
    }),
    partitionsCreated: new Counter({
      name: 'sretl_lander_partitions_created_total',
      help: 'Daily partitions of sales_raw created by the lander’s maintenance.',
      registers,
    }),
    partitionsDropped: new Counter({
      name: 'sretl_lander_partitions_dropped_total',
      help: 'Daily partitions of sales_raw dropped by retention in the lander’s maintenance.',
      registers,
    }),
  }
}

export type LanderMetrics = ReturnType<typeof createLanderMetrics>

/** Counts a committed batch: rows, duplicates, dead letters, sizes, durations, latencies. */
export function observeLanding(metrics: LanderMetrics, result: LandingResult): void {
  metrics.rows.inc(result.newRows.length)
  if (result.duplicates > 0) metrics.duplicates.inc(result.duplicates)
  if (result.retimed > 0) metrics.retimedDuplicates.inc(result.retimed)
  metrics.batches.inc()
  metrics.batchSize.observe(result.batch.records)
  metrics.transactionSeconds.observe(result.transactionMs / 1000)
  for (const d of result.deadLetters) metrics.dlq.inc({ code: d.rejection.code })
  for (const row of result.newRows) {
    metrics.eventToCommitSeconds.observe(Math.max(0, result.committedAt - row.eventTimeMs) / 1000)
    metrics.produceToCommitSeconds.observe(Math.max(0, result.committedAt - row.produceTimeMs) / 1000)
  }
}
