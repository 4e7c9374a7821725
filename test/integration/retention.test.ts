import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { ConfigResourceTypes } from '@platformatic/kafka'
import { createAdmin } from '../../src/platform/kafka.ts'
import { ensureSalesRawPartitions, utcDay } from '../../src/database/partitions.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { seedReference, startAggregatingLander, waitAllPublished } from '../support/aggregates.ts'
import { makeSaleLine } from '../support/events.ts'
import { configFor, createTopicsFor, pipelineEnv, runCli } from '../support/harness.ts'
import { landSales } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })

interface MaintainJson {
  dropped: { day: string }[]
  prunedAuditRows: number
  prunedAggregates: Record<string, number>
  failures: unknown[]
}

test('retention should drop old sales, age out the audit log and old aggregate windows, audit each removal, keep everything newer, and leave sretl verify clean', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: 'retention',
    AGG_IDLE_MS: '1000',
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
  })
  const owner = db.pool('sretl_owner')
  const oldDay = utcDay(new Date(), -450)
  const recentDay = utcDay(new Date(), -5)
  await ensureSalesRawPartitions(owner, oldDay, oldDay)
  await ensureSalesRawPartitions(owner, recentDay, recentDay)
  const events: SaleLine[] = [oldDay, recentDay].flatMap((day) =>
    Array.from({ length: 10 }, (_, i) =>
      makeSaleLine({ store_id: 'S0001', currency: 'EUR', event_time: `${day}T10:0${i}:00.000Z` }),
    ),
  )
  const lander = startAggregatingLander(kafka, db.url, env)
  try {
    await landSales(kafka, pool, 'retention', events)
    await waitAllPublished(lander)
  } finally {
    await lander.stop()
  }
  await owner.query(
    `INSERT INTO audit_log (at, actor, role, action, target, result)
     VALUES (now() - interval '500 days', 'old', 'sretl_owner', 'pause', 'lander', 'ok'),
            (now() - interval '10 days', 'recent', 'sretl_owner', 'pause', 'lander', 'ok')`,
  )
  const hourly = async (day: string): Promise<number> =>
    Number(
      (
        await owner.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM sales_hourly WHERE window_start::date = $1::date',
          [day],
        )
      ).rows[0]?.n,
    )
  assert.equal(await hourly(oldDay), 1)

  // the defaults: sales 400 days, aggregates 1100, audit 400
  const first = await runCli(['maintain', '--json'], env)
  assert.equal(first.code, 0, first.stdout + first.stderr)
  const result = JSON.parse(first.stdout) as MaintainJson
  assert.deepEqual(result.failures, [])
  assert.deepEqual(
    result.dropped.map((p) => p.day),
    [oldDay],
  )
  assert.equal(result.prunedAuditRows, 1)
  assert.equal(
    Object.values(result.prunedAggregates).reduce((a, b) => a + b, 0),
    0,
  )
  const salesDays = await owner.query<{ day: string }>(
    "SELECT DISTINCT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM sales_raw ORDER BY 1",
  )
  assert.deepEqual(
    salesDays.rows.map((r) => r.day),
    [recentDay],
  )
  assert.equal(await hourly(oldDay), 1, 'the aggregates outlive the sales they sum')
  const audit = await owner.query<{ actor: string }>('SELECT actor FROM audit_log WHERE action = $1', [
    'pause',
  ])
  assert.deepEqual(
    audit.rows.map((r) => r.actor),
    ['recent'],
  )
  // windows whose sales were dropped are not compared, so the kept aggregates are no difference
  const verified = await runCli(['verify'], env)
  assert.equal(verified.code, 0, verified.stdout + verified.stderr)

  // a shorter aggregate retention removes the old windows, and says so in the audit log
  const second = await runCli(['maintain', '--json'], { ...env, AGGREGATE_RETENTION_DAYS: '420' })
  assert.equal(second.code, 0, second.stderr)
  const pruned = (JSON.parse(second.stdout) as MaintainJson).prunedAggregates
  assert.equal(pruned.sales_hourly, 1)
  assert.ok((pruned.sales_agg_minute ?? 0) >= 10, JSON.stringify(pruned))
  assert.equal(await hourly(oldDay), 0)
  assert.equal(await hourly(recentDay), 1, 'newer windows stay')
  const removals = await owner.query<{ action: string; detail: { removedRows: unknown } }>(
    "SELECT action, detail FROM audit_log WHERE action LIKE 'retention.%' ORDER BY id",
  )
  assert.deepEqual(
    removals.rows.map((r) => r.action),
    ['retention.audit_log', 'retention.aggregates'],
  )
  assert.equal((removals.rows[1]?.detail.removedRows as Record<string, number>).sales_hourly, 1)
  const again = await runCli(['verify'], env)
  assert.equal(again.code, 0, again.stdout + again.stderr)
})

test('the audit log should refuse to be aged out under 30 days, even by its maintainer', async () => {
  const owner = db.pool('sretl_owner')
  await assert.rejects(
    owner.query("SELECT sretl_maintain_prune_audit('test', now() - interval '7 days')"),
    /keeps at least 30 days/,
  )
  await assert.rejects(
    owner.query("SELECT * FROM sretl_maintain_prune_aggregates('test', now() - interval '1 hour')"),
    /keep at least 2 days/,
  )
})

test('the dead-letter topic should keep records for DLQ_RETENTION_DAYS, applied again to an existing topic at start', async () => {
  const { env, kafka } = await pipelineEnv(db)
  const retentionMs = async (): Promise<string | undefined> => {
    const admin = createAdmin(kafka, 'retention-test')
    try {
      const [described] = await admin.describeConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topicNames(kafka).salesDlq,
            configurationKeys: ['retention.ms'],
          },
        ],
      })
      return described?.configs.find((c) => c.name === 'retention.ms')?.value ?? undefined
    } finally {
      await admin.close()
    }
  }
  assert.equal(await retentionMs(), String(30 * 86_400_000), 'the default: 30 days')
  await createTopicsFor(configFor({ ...env, DLQ_RETENTION_DAYS: '7' }).kafka)
  assert.equal(await retentionMs(), String(7 * 86_400_000))
})
