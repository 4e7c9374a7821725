import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seedReference } from '../support/aggregates.ts'
import { startComponent } from '../support/components.ts'
import { pipelineEnv, runCli, waitFor } from '../support/harness.ts'
import {
  countRows,
  metricValue,
  startChildLander,
  waitCaughtUp,
  type ChildLander,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })

interface AggregatesStatus {
  watermark: string | null
  rollingHorizon: string | null
  unpublished: Record<string, number> | null
}

const aggregatesOf = async (lander: ChildLander): Promise<AggregatesStatus | null> => {
  const body = (await (await fetch(`${lander.url}/status`)).json()) as {
    details: { aggregates: AggregatesStatus | null }
  }
  return body.details.aggregates
}

test('aggregates should equal their oracle after late events, offline bursts, duplicates, a DST change, two kill -9 and a replay from the earliest offset', async () => {
  const group = 'agg-faults'
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: group,
    LANDER_SESSION_TIMEOUT_MS: '6000',
    LANDER_BATCH_MAX_ROWS: '2000',
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
    LANDER_LAG_INTERVAL_MS: '500',
    AGG_GRACE_PERIOD_MS: '120000',
    AGG_IDLE_MS: '3000',
    AGG_CYCLE_INTERVAL_MS: '200',
    // the simulator writes 12 simulated hours across Europe's change back to winter time
    // (2026-10-25 01:00 UTC), with every fault that reaches the lander as a valid event
    SIMULATOR_CLOCK: 'simulated',
    SIMULATOR_HISTORY_START: '2026-10-24T23:00:00.000Z',
    SIMULATOR_HISTORY_DAYS: '0.5',
    SIMULATOR_EVENTS_PER_DAY: '90000',
    RATE_PER_SEC: '2500',
    SIMULATOR_SEED: 'aggregates-faults',
    SIMULATOR_EXIT_WHEN_DONE: 'true',
    SIMULATOR_FAULT_LATE_SHARE: '0.05',
    SIMULATOR_FAULT_LATE_MEAN_DELAY_MS: '600000',
    SIMULATOR_FAULT_OFFLINE_SHARE: '0.01',
    SIMULATOR_FAULT_DUPLICATE_SHARE: '0.05',
    SIMULATOR_FAULT_MALFORMED_SHARE: '0.005',
    SIMULATOR_FAULT_FAR_DATE_SHARE: '0.002',
  })

  let lander = await startChildLander(env)
  const simulator = await startComponent('simulator', env)
  // two kill -9 while events flow, each followed by a restart
  for (const atLeast of [4000, 12_000]) {
    await waitFor(async () => (await countRows(pool)) >= atLeast, {
      timeoutMs: 120_000,
      message: `the lander did not land ${atLeast} rows`,
    })
    await lander.kill()
    lander = await startChildLander(env)
  }
  // while events still flow: what verify compares matches; the rest is reported in flight
  const midway = await runCli(['verify'], env)
  assert.equal(midway.code, 0, `sretl verify while events flow:\n${midway.stdout}\n${midway.stderr}`)
  assert.equal(await simulator.cli.exited, 0, 'the simulator wrote its history and exited')
  await waitCaughtUp(kafka, pool, group, 180_000)

  // replay everything once: stop the lander, reset the stored offsets, start again
  assert.equal(await lander.stop(), 0)
  const reset = await runCli(['reset-offsets', 'lander', '--to-earliest'], env)
  assert.equal(reset.code, 0, reset.stderr + reset.stdout)
  const rowsBefore = await countRows(pool)
  lander = await startChildLander(env)
  await waitCaughtUp(kafka, pool, group, 180_000)
  assert.equal(await countRows(pool), rowsBefore, 'the replay lands nothing twice')

  // the input has stopped: the idle watermark passes every grace period, all is final and published
  await waitFor(
    async () => {
      const s = await aggregatesOf(lander)
      const open = await pool.query<{ n: number }>(
        // (receipts dated years ahead by the far-date fault stay open until their time comes)
        `SELECT ${['sales_agg_minute', 'sales_hourly', 'store_rolling_1h', 'top_skus']
          .map(
            (t) =>
              `(SELECT count(*) FROM ${t} WHERE NOT final AND window_end < now() - interval '3 minutes')`,
          )
          .join(' + ')} AS n`,
      )
      return (
        s?.unpublished !== null &&
        s?.unpublished !== undefined &&
        Object.values(s.unpublished).every((n) => n === 0) &&
        Number(open.rows[0]?.n) === 0
      )
    },
    { timeoutMs: 120_000, intervalMs: 500, message: 'the aggregates did not all become final and published' },
  )
  const verify = await runCli(['verify'], env)
  assert.equal(verify.code, 0, `sretl verify found differences:\n${verify.stdout}\n${verify.stderr}`)
  assert.match(verify.stdout, /All aggregates match their oracle/)

  const metrics = await lander.metrics()
  const earlier = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM sales_agg_minute WHERE correction',
  )
  assert.ok(
    (earlier.rows[0]?.n ?? 0) > 0 || metricValue(metrics, 'sretl_aggregates_late_corrections_total') > 0,
    'late events beyond the grace period were applied as corrections',
  )
  // a correction is a change to a final window: never a flag on a window still open
  const openCorrections = await pool.query<{ t: string; n: number }>(
    ['sales_agg_minute', 'sales_hourly', 'store_rolling_1h', 'top_skus']
      .map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ${t} WHERE correction AND NOT final`)
      .join(' UNION ALL '),
  )
  assert.deepEqual(
    openCorrections.rows.filter((r) => r.n > 0),
    [],
    'correction only on final rows',
  )
  // the 24-hour Berlin stores sold in both 02:00 local hours of the 25-hour day
  const repeated = await pool.query<{ n: number }>(
    `SELECT count(DISTINCT window_start)::int AS n FROM sales_hourly
     WHERE time_zone = 'Europe/Berlin' AND local_date = '2026-10-25' AND local_hour = 2`,
  )
  assert.equal(repeated.rows[0]?.n, 2, 'two distinct hours are local hour 2 on 2026-10-25')
  assert.equal(await lander.stop(), 0)
})
