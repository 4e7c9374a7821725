import assert from 'node:assert/strict'
import { test } from 'node:test'
import { topicNames } from '../../src/platform/topics.ts'
import { spreadLine } from '../support/events.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import {
  assertLandedOnce,
  countRows,
  endOffsets,
  produceContinuously,
  saleEvent,
  startChildLander,
  storedOffsets,
  waitCaughtUp,
  type OutgoingEvent,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

const event = (i: number): OutgoingEvent => saleEvent(spreadLine(i, 23, 'RC-crash'))

test('lander should land every event exactly once after being killed with SIGKILL five times mid-stream', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: 'crash-lander',
    // static membership: each restart takes the partitions back without waiting for a rebalance
    LANDER_GROUP_INSTANCE_ID: 'crash-lander-1',
    LANDER_SESSION_TIMEOUT_MS: '6000',
    LANDER_BATCH_MAX_ROWS: '150',
    LANDER_BATCH_MAX_WAIT_MS: '20',
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
  })
  const producer = produceContinuously(kafka, event, { perTick: 60, everyMs: 50 })
  try {
    for (let kill = 1; kill <= 5; kill += 1) {
      const lander = await startChildLander(env)
      const before = await countRows(pool)
      // let it land something, then kill it at a random moment of its work
      await waitFor(async () => (await countRows(pool)) > before, {
        timeoutMs: 60_000,
        message: `lander ${kill} landed nothing`,
      })
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)))
      await lander.kill()
    }
    const last = await startChildLander(env)
    const produced = await producer.stop()
    try {
      await waitCaughtUp(kafka, pool, 'crash-lander')
      await assertLandedOnce(pool, produced)
      const topic = topicNames(kafka).salesEvents
      const stored = await storedOffsets(pool, 'crash-lander', topic)
      const ends = await endOffsets(kafka, topic)
      assert.deepEqual(
        [...stored].sort(([a], [b]) => a - b),
        [...ends].sort(([a], [b]) => a - b),
        'stored offsets equal the partitions’ end offsets',
      )
      const status = await last.status()
      assert.equal(status.state, 'RUNNING')
    } finally {
      assert.equal(await last.stop(), 0, 'a SIGTERM stops the lander cleanly')
    }
  } finally {
    await producer.stop().catch(() => undefined)
  }
})
