import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertAggregatesMatchOracle } from '../support/aggregates.ts'
import { spreadLine } from '../support/events.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import {
  assertLandedOnce,
  countRows,
  produceContinuously,
  saleEvent,
  startChildLander,
  waitCaughtUp,
  type OutgoingEvent,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

const event = (i: number): OutgoingEvent => saleEvent(spreadLine(i, 31, 'RC-reb'))

test('lander should land every event exactly once, its aggregates matching their oracle, while a second lander joins the group and leaves it mid-stream', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: 'rebalance-lander',
    LANDER_SESSION_TIMEOUT_MS: '6000',
    LANDER_BATCH_MAX_ROWS: '200',
    LANDER_BATCH_MAX_WAIT_MS: '20',
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
  })
  const producer = produceContinuously(kafka, event, { perTick: 50, everyMs: 50 })
  const first = await startChildLander(env)
  await waitFor(async () => (await countRows(pool)) > 0, {
    timeoutMs: 60_000,
    message: 'first lander landed nothing',
  })

  const second = await startChildLander(env)
  // the group rebalances: each lander ends up with some of the six partitions and lands from them
  const shared = await waitFor(
    async () => {
      const [a, b] = await Promise.all([first.status(), second.status()])
      const split =
        a.details.partitions.length > 0 &&
        b.details.partitions.length > 0 &&
        a.details.partitions.length + b.details.partitions.length === 6
      return split && b.details.totals.rows > 0 ? { a, b } : undefined
    },
    { timeoutMs: 60_000, message: 'the second lander never got partitions and landed from them' },
  )
  assert.ok(shared.b.details.totals.rows > 0)

  assert.equal(await second.stop(), 0, 'the second lander leaves cleanly')
  await waitFor(async () => (await first.status()).details.partitions.length === 6, {
    timeoutMs: 60_000,
    message: 'the first lander did not take all partitions back',
  })
  const produced = await producer.stop()
  try {
    await waitCaughtUp(kafka, pool, 'rebalance-lander')
  } catch (err) {
    process.stderr.write(
      `${JSON.stringify(await first.status(), null, 1)}\n${first.cli.output().slice(-8000)}\n`,
    )
    throw err
  }

  await assertLandedOnce(pool, produced)
  // the aggregates, maintained by two landers in turn, equal SQL over what landed
  await assertAggregatesMatchOracle(pool)
  const status = await first.status()
  assert.equal(status.state, 'RUNNING')
  assert.ok(status.details.partitions.every((p) => p.lagMessages === 0 || p.lagMessages === null))
  assert.equal(await first.stop(), 0)
})
