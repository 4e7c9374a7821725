import assert from 'node:assert/strict'
import { test } from 'node:test'
import { topicSpecs } from '../../src/platform/topics.ts'

const DAY_MS = 24 * 3600 * 1000

test('the dead-letter topic should keep records DLQ_RETENTION_DAYS, 30 days when not given', () => {
  const dlq = (days?: number) =>
    topicSpecs({
      topicPrefix: 't.',
      salesPartitions: 6,
      replicationFactor: 1,
      ...(days === undefined ? {} : { dlqRetentionDays: days }),
    }).find((s) => s.name === 't.sales.events.dlq.v1')
  assert.equal(dlq()?.configs['retention.ms'], String(30 * DAY_MS))
  assert.equal(dlq(14)?.configs['retention.ms'], String(14 * DAY_MS))
})

test('topics should ask for two in-sync replicas only when there are at least two replicas', () => {
  const isr = (rf: number) =>
    new Set(
      topicSpecs({ topicPrefix: '', salesPartitions: 6, replicationFactor: rf }).map(
        (s) => s.configs['min.insync.replicas'],
      ),
    )
  assert.deepEqual(isr(1), new Set(['1']))
  assert.deepEqual(isr(3), new Set(['2']))
})
