import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ensureSalesRawPartitions, listSalesRawPartitions, utcDay } from '../../src/database/partitions.ts'
import { makeSaleLine } from '../support/events.ts'
import { pipelineEnv, runCli, testEnv, waitFor } from '../support/harness.ts'
import { metricValue, produceSales, startChildLander, waitCaughtUp } from '../support/lander.ts'
import { insertSaleLine } from '../support/sales-data.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

test('an event outside every daily partition should land in the default partition, be counted, and sit in its own partition after sretl maintain', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: 'partition-lander',
    LANDER_DEFAULT_ROWS_INTERVAL_MS: '200',
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
    // a backfill from 2001 is kept only without a retention
    RETENTION_DAYS: '0',
  })
  const old = makeSaleLine({ event_time: '2001-02-03T04:05:06.789Z', receipt_id: 'RC-backfill' })
  const today = makeSaleLine({ receipt_id: 'RC-today' })
  await produceSales(kafka, [old, today])
  const lander = await startChildLander(env)
  await waitCaughtUp(kafka, pool, 'partition-lander')

  const where = async (eventId: string): Promise<string | undefined> =>
    (
      await pool.query<{ part: string }>(
        'SELECT tableoid::regclass::text AS part FROM sales_raw WHERE event_id = $1',
        [eventId],
      )
    ).rows[0]?.part
  assert.equal(await where(old.event_id), 'sales_raw_default')
  assert.equal(await where(today.event_id), `sales_raw_p${utcDay(new Date()).replaceAll('-', '')}`)

  // counted: the lander's metric and status, and `sretl status`
  await waitFor(
    async () => metricValue(await lander.metrics(), 'sretl_lander_default_partition_rows') === 1,
    {
      message: 'the default-partition metric did not reach 1',
    },
  )
  assert.equal((await lander.status()).details.maintenance.defaultPartitionRows, 1)
  const status = await runCli(['status', '--json'], { ...env, LANDER_PORT: String(lander.port) })
  const report = JSON.parse(status.stdout) as {
    postgres: { defaultPartitionRows: number }
    lander: { reachable: boolean; state: string; rows: number }
  }
  assert.equal(report.postgres.defaultPartitionRows, 1)
  assert.equal(report.lander.reachable, true)
  assert.equal(report.lander.rows, 2)

  const maintain = await runCli(['maintain'], env)
  assert.equal(maintain.code, 0, maintain.stderr)
  assert.match(maintain.stdout, /2001-02-03 \(1 rows moved from the default partition\)/)
  assert.equal(await where(old.event_id), 'sales_raw_p20010203')
  await waitFor(
    async () => metricValue(await lander.metrics(), 'sretl_lander_default_partition_rows') === 0,
    {
      message: 'the default-partition metric did not return to 0',
    },
  )
  const audit = await pool.query<{ target: string; detail: { movedRows: number } }>(
    "SELECT target, detail FROM audit_log WHERE action = 'partition.create'",
  )
  assert.deepEqual(audit.rows, [
    { target: 'sales_raw_p20010203', detail: { day: '2001-02-03', movedRows: 1 } },
  ])
  assert.equal(await lander.stop(), 0)
})

test('sretl maintain should drop the daily partitions older than RETENTION_DAYS, audit each drop, and keep the recent ones', async () => {
  const owner = db.pool('sretl_owner')
  const oldDay = utcDay(new Date(), -400)
  const recentDay = utcDay(new Date(), -20)
  await ensureSalesRawPartitions(owner, oldDay, oldDay)
  await ensureSalesRawPartitions(owner, recentDay, recentDay)
  const writer = db.pool('sretl_writer')
  for (const day of [oldDay, recentDay]) {
    await insertSaleLine(writer, makeSaleLine({ event_time: `${day}T12:00:00.000Z` }))
  }
  const env = testEnv({ databaseUrl: db.url, extra: { RETENTION_DAYS: '30' } })
  const maintain = await runCli(['maintain', '--json'], env)
  assert.equal(maintain.code, 0, maintain.stderr)
  const result = JSON.parse(maintain.stdout) as { dropped: { name: string; day: string }[] }
  const oldName = `sales_raw_p${oldDay.replaceAll('-', '')}`
  assert.ok(result.dropped.some((p) => p.name === oldName))
  assert.ok(
    result.dropped.every((p) => p.day < utcDay(new Date(), -30)),
    'only days older than the retention',
  )
  const names = new Set((await listSalesRawPartitions(owner)).map((p) => p.name))
  assert.equal(names.has(oldName), false, 'the old day is gone')
  assert.equal(names.has(`sales_raw_p${recentDay.replaceAll('-', '')}`), true, 'the recent day is kept')
  assert.equal(names.has(`sales_raw_p${utcDay(new Date(), 7).replaceAll('-', '')}`), true, 'days ahead exist')
  const audit = await owner.query<{ target: string; actor: string; result: string }>(
    "SELECT target, actor, result FROM audit_log WHERE action = 'partition.drop' AND target = $1",
    [oldName],
  )
  assert.equal(audit.rows.length, 1)
  assert.match(audit.rows[0]?.actor ?? '', /^cli:/)
  assert.equal(audit.rows[0]?.result, 'ok')
})
