import assert from 'node:assert/strict'
import { test } from 'node:test'
import { makeSaleLine } from '../support/events.ts'
import { configFor, runCli, startCli, upEnv, waitFor } from '../support/harness.ts'
import { countRows, produceSales } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

interface Report {
  lander: {
    reachable: boolean
    state: string
    rows: number
    lagMessages: number
    partitions: { state: string }[]
    latencyMs: { samples: number; eventToCommit: { p95: number | null } }
  }
}

test('sretl up should run the lander: events land, sretl status shows rows, lag and latency, and pause/resume work from the CLI', async () => {
  const env = await upEnv(db.url)
  // the stack's simulator stays idle: this test counts exactly the events it sends itself
  env.RATE_PER_SEC = '0'
  const up = startCli(['up'], env)
  try {
    await up.waitForLine(/^Ready in /, 180_000)
    const kafka = configFor({ ...env, KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${env.KAFKA_PORT}` }).kafka
    const status = async (): Promise<Report> => {
      const result = await runCli(['status', '--json'], env)
      return JSON.parse(result.stdout) as Report
    }
    await waitFor(async () => (await status()).lander.state === 'RUNNING', {
      timeoutMs: 60_000,
      message: 'the lander of the stack did not run',
    })
    const events = Array.from({ length: 50 }, (_, i) => makeSaleLine({ receipt_id: `RC-stack-${i}` }))
    await produceSales(kafka, events)
    const pool = db.pool('sretl_reader')
    await waitFor(async () => (await countRows(pool)) === events.length, { timeoutMs: 60_000 })
    // the stack's lander connects under its own login, not the DATABASE_URL given to sretl up
    const sessions = await db
      .pool()
      .query<{ usename: string }>(
        "SELECT DISTINCT usename::text FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sretl-lander'",
      )
    assert.deepEqual(
      sessions.rows.map((r) => r.usename),
      [`${env.DATABASE_LOGIN_PREFIX}lander`],
    )
    const running = await waitFor(
      async () => {
        const report = await status()
        return report.lander.rows === events.length && report.lander.lagMessages === 0 ? report : undefined
      },
      { message: 'sretl status did not report the landed rows' },
    )
    assert.equal(running.lander.partitions.length, 6)
    assert.equal(running.lander.latencyMs.samples, events.length)
    assert.ok((running.lander.latencyMs.eventToCommit.p95 ?? -1) >= 0)
    const text = await runCli(['status'], env)
    assert.match(text.stdout, /Lander http:\/\/127\.0\.0\.1:\d+: RUNNING/)
    assert.match(text.stdout, /landed 50 rows/)
    assert.match(text.stdout, /event→commit P50/)

    const paused = await runCli(['pause', 'lander', '--reason', 'test'], env)
    assert.equal(paused.code, 0, paused.stderr)
    assert.match(paused.stdout, /^lander: PAUSED/m)
    const whilePaused = await status()
    assert.equal(whilePaused.lander.state, 'PAUSED')
    assert.ok(whilePaused.lander.partitions.every((p) => p.state === 'PAUSED'))
    const resumed = await runCli(['resume', 'lander'], env)
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(resumed.stdout, /RUNNING/)
    const audit = await pool.query<{ action: string; target: string }>(
      "SELECT action, target FROM audit_log WHERE action IN ('pause', 'resume') ORDER BY id",
    )
    assert.deepEqual(audit.rows, [
      { action: 'pause', target: 'lander' },
      { action: 'resume', target: 'lander' },
    ])
    const unknown = await runCli(['pause', 'gateway-x'], env)
    assert.equal(unknown.code, 2)
  } finally {
    const down = await runCli(['down'], env)
    assert.equal(down.code, 0, down.stderr)
    await up.exited
  }
})
