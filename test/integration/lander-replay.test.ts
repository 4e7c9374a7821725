import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { topicNames } from '../../src/platform/topics.ts'
import { makeSaleLine, spreadLine } from '../support/events.ts'
import { pipelineEnv, runCli, waitFor } from '../support/harness.ts'
import {
  countRows,
  metricValue,
  produceSales,
  startChildLander,
  storedOffsets,
  waitCaughtUp,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

/** Kafka's own consumer-group tool (kafka-consumer-groups.sh), from the broker's jars. */
function kafkaConsumerGroups(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const java = process.env.SRETL_TEST_JAVA ?? 'java'
  const classpath = process.env.SRETL_TEST_KAFKA_CLASSPATH ?? ''
  return new Promise((resolve) => {
    const child = spawn(
      java,
      ['-cp', classpath, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('close', (code) => resolve({ code, output }))
  })
}

test('lander should keep the row count unchanged when the group’s offsets are reset to earliest, by Kafka’s tool and by sretl reset-offsets', async () => {
  const group = 'replay-lander'
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: group,
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
    LANDER_SESSION_TIMEOUT_MS: '6000',
  })
  const topic = topicNames(kafka).salesEvents
  const events = Array.from({ length: 2000 }, (_, i) => spreadLine(i, 17, 'RC-replay'))
  await produceSales(kafka, events)
  let lander = await startChildLander(env)
  await waitCaughtUp(kafka, pool, group)
  assert.equal(await countRows(pool), events.length)
  assert.equal(await lander.stop(), 0)

  // 1. Kafka's reset: the landers resume from PostgreSQL's offsets, so nothing is read again
  const reset = await kafkaConsumerGroups([
    '--bootstrap-server',
    kafka.bootstrapServers.join(','),
    '--group',
    group,
    '--topic',
    topic,
    '--reset-offsets',
    '--to-earliest',
    '--execute',
  ])
  assert.equal(reset.code, 0, reset.output)
  assert.match(reset.output, /NEW-OFFSET/)
  lander = await startChildLander(env)
  await produceSales(kafka, [makeSaleLine({ receipt_id: 'RC-replay-late' })])
  await waitCaughtUp(kafka, pool, group)
  assert.equal(await countRows(pool), events.length + 1)
  const afterKafkaReset = await lander.metrics()
  assert.equal(metricValue(afterKafkaReset, 'sretl_lander_duplicates_total'), 0, 'nothing was read again')
  assert.equal(await lander.stop(), 0)

  // 2. a replay from PostgreSQL's side: everything is read again and recognised as already landed
  const refused = await runCli(['reset-offsets', 'lander', '--to-earliest'], env)
  assert.equal(refused.code, 0, refused.stderr)
  const stored = await storedOffsets(pool, group, topic)
  assert.deepEqual([...stored.values()], [0n, 0n, 0n, 0n, 0n, 0n])
  const audit = await pool.query<{ action: string }>(
    "SELECT action FROM audit_log WHERE action = 'offsets.reset'",
  )
  assert.equal(audit.rows.length, 1, 'the reset is audited')

  lander = await startChildLander(env)
  await waitCaughtUp(kafka, pool, group)
  await waitFor(
    async () => metricValue(await lander.metrics(), 'sretl_lander_duplicates_total') === events.length + 1,
    {
      message: 'every record was read again and counted as a duplicate',
    },
  )
  assert.equal(await countRows(pool), events.length + 1, 'the row count is unchanged')
  const metrics = await lander.metrics()
  assert.equal(metricValue(metrics, 'sretl_lander_rows_total'), 0, 'no row landed twice')

  // resetting while a lander of the group runs is refused
  const whileRunning = await runCli(['reset-offsets', 'lander', '--to-earliest'], env)
  assert.equal(whileRunning.code, 1)
  assert.match(whileRunning.stderr, /\[GROUP_ACTIVE\]/)
  assert.equal(await lander.stop(), 0)
})
