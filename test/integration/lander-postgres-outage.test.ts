import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertAggregatesMatchOracle } from '../support/aggregates.ts'
import { spreadLine } from '../support/events.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import {
  assertLandedOnce,
  countRows,
  metricValue,
  produceContinuously,
  saleEvent,
  startChildLander,
  waitCaughtUp,
  type OutgoingEvent,
} from '../support/lander.ts'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts'
import { useTestDatabase } from '../support/test-database.ts'

let proxy: TcpProxy
const db = useTestDatabase({
  setUp: async (created) => {
    const target = new URL(created.url)
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
  },
  teardown: () => proxy.close(),
})

const event = (i: number): OutgoingEvent => saleEvent(spreadLine(i, 19, 'RC-outage'))

// The shared PostgreSQL server cannot be restarted under other tests, so the outage is made
// between the lander and the server: a TCP proxy resets every connection and refuses new ones,
// which is what the lander sees when PostgreSQL restarts.
test('lander should wait, reconnect and land every event exactly once, its aggregates matching their oracle, across PostgreSQL outages (connections reset and refused by a proxy)', async () => {
  const through = new URL(db.url)
  through.port = String(proxy.port)
  const { env, kafka, pool } = await pipelineEnv(
    db,
    {
      LANDER_GROUP_ID: 'outage-lander',
      LANDER_BATCH_MAX_ROWS: '200',
      LANDER_BATCH_MAX_WAIT_MS: '20',
      LANDER_RETRY_BASE_MS: '100',
      LANDER_RETRY_MAX_MS: '1000',
      LANDER_MAINTENANCE_INTERVAL_MS: '0',
      PG_CONNECT_TIMEOUT_MS: '2000',
    },
    { databaseUrl: through.toString() },
  )
  const producer = produceContinuously(kafka, event, { perTick: 40, everyMs: 50 })
  const lander = await startChildLander(env)
  try {
    for (let outage = 1; outage <= 2; outage += 1) {
      const landedBefore = await countRows(pool)
      await waitFor(async () => (await countRows(pool)) > landedBefore, {
        timeoutMs: 60_000,
        message: `nothing landed before outage ${outage}`,
      })
      await proxy.cut()
      // the lander notices, reports FAILED with the reason, and keeps retrying
      const failed = await waitFor(
        async () => {
          const status = await lander.status()
          return status.state === 'FAILED' ? status : undefined
        },
        { timeoutMs: 30_000, message: `lander did not report the outage ${outage}` },
      )
      assert.equal(failed.lastError?.code, 'LANDER_RETRYING')
      assert.ok(failed.details.partitions.some((p) => p.state === 'FAILED' && p.lastError !== null))
      const during = await countRows(pool)
      await proxy.restore()
      await waitFor(async () => (await lander.status()).state === 'RUNNING', {
        timeoutMs: 60_000,
        message: `lander did not recover from outage ${outage}`,
      })
      await waitFor(async () => (await countRows(pool)) > during, { timeoutMs: 60_000 })
    }
    const produced = await producer.stop()
    await waitCaughtUp(kafka, pool, 'outage-lander')
    await assertLandedOnce(pool, produced)
    // no landing transaction half-applied its aggregate deltas when its connection was reset
    await assertAggregatesMatchOracle(pool)
    const metrics = await lander.metrics()
    assert.ok(metricValue(metrics, 'sretl_lander_retries_total', { reason: 'pg_unavailable' }) > 0)
    assert.equal(metricValue(metrics, 'sretl_lander_dlq_total'), 0, 'an outage never dead-letters')
    assert.equal(await lander.stop(), 0)
  } catch (err) {
    process.stderr.write(lander.cli.output().slice(-6000))
    throw err
  } finally {
    await producer.stop().catch(() => undefined)
  }
})
