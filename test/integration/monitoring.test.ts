/**
 * The monitoring of a real local stack: PostgreSQL, the run's Kafka, the PostgreSQL exporter,
 * Alertmanager and Prometheus as `sretl up` starts them, with one component — a stand-in lander
 * speaking the agreed metrics and /status (test/support/fake-lander.ts) — to prove that components
 * plug in. What needs the real simulator and lander (every panel with data, smoke passing on
 * traffic, induced lag) is in docs/observability.md, "Once the components land".
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { loadConfig } from '../../src/platform/config.ts'
import { describeFailures, loadDashboards, proveDashboards } from '../../src/observability/dashboard-proof.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { stackConfigSection, type StackConfig } from '../../src/platform/monitoring-config.ts'
import { activeTargets, alerts, rules } from '../../src/observability/prometheus-api.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { ignoreProgress } from '../../src/stack/progress.ts'
import { startStack, type RunningStack } from '../../src/stack/stack.ts'
import { removeStackState, writeStackState } from '../../src/stack/state.ts'
import { makeSaleLine } from '../support/events.ts'
import { monitoringPorts, runCli, testEnv, waitFor } from '../support/harness.ts'
import { ruleGroupNames } from '../support/rule-files.ts'
import { insertSaleLine } from '../support/sales-data.ts'
import { useTestDatabase } from '../support/test-database.ts'
import { skipUnlessInstalled } from '../support/tools.ts'

const FAKE_LANDER = fileURLToPath(new URL('../support/fake-lander.ts', import.meta.url))
const installed = ['prometheus', 'prometheus-alertmanager', 'prometheus-postgres-exporter'].every(
  (c) => spawnSync('sh', ['-c', 'command -v "$0"', c]).status === 0,
)
const skip = skipUnlessInstalled(
  installed
    ? false
    : 'prometheus, prometheus-alertmanager or prometheus-postgres-exporter is not installed; .ci/run installs them',
)

let env: Record<string, string>
let config: StackConfig
let stack: RunningStack | undefined
let prometheus: string

const db = useTestDatabase({ setUp: startMonitoredStack, teardown: stopMonitoredStack })

async function startMonitoredStack(): Promise<void> {
  if (skip) return
  env = testEnv({
    databaseUrl: db.url,
    // no restart by supervision: the smoke test below needs the killed lander to stay down
    extra: { ...(await monitoringPorts()), PROMETHEUS_SCRAPE_INTERVAL: '1s', STACK_CRASH_LOOP_RESTARTS: '0' },
  })
  config = loadConfig(env, stackConfigSection)
  const landerPort = await findFreePort()
  stack = await startStack({
    config,
    env,
    supervision: config.supervision,
    components: [
      {
        name: 'lander',
        args: [FAKE_LANDER],
        address: `http://127.0.0.1:${landerPort}`,
        env: { FAKE_LANDER_PORT: String(landerPort), FAKE_LAG_SECONDS: '120' },
      },
    ],
    monitoring: config.monitoring,
    logger: silentLogger(),
    onProgress: ignoreProgress,
  })
  // what `sretl up` records, so `sretl status` and `sretl smoke` find the stack
  writeStackState(config.paths.run, {
    upPid: process.pid,
    startedAt: new Date().toISOString(),
    home: config.paths.home,
    services: stack.services,
  })
  prometheus = stack.monitoring?.prometheusUrl ?? ''
}

async function stopMonitoredStack(): Promise<void> {
  await stack?.stop()
  if (config) removeStackState(config.paths.run)
}

describe('the local stack’s monitoring', { skip }, () => {
  test('Prometheus should scrape the stack’s components, the exporter, Alertmanager and itself, all UP', async () => {
    assert.equal(prometheus, `http://127.0.0.1:${env.PROMETHEUS_PORT}`)
    const targets = await waitFor(
      async () => {
        const found = await activeTargets(prometheus)
        return !('error' in found) && found.length === 4 && found.every((t) => t.health === 'up') && found
      },
      { timeoutMs: 60_000, message: 'all four targets UP' },
    )
    assert.deepEqual(targets.map((t) => t.job).sort(), [
      'alertmanager',
      'postgres',
      'prometheus',
      'sretl-lander',
    ])
  })

  test('every rule should load from deploy/prometheus/rules and evaluate without error', async () => {
    const loaded = await waitFor(
      async () => {
        const found = await rules(prometheus)
        return !('error' in found) && found.length > 0 && found.every((r) => r.health === 'ok') && found
      },
      { timeoutMs: 60_000, message: 'every rule evaluated with health ok' },
    )
    assert.deepEqual([...new Set(loaded.map((r) => r.group))].sort(), ruleGroupNames())
    assert.ok(loaded.filter((r) => r.type === 'alerting').length >= 18)
  })

  test('every PostgreSQL dashboard query should return data and no dashboard query should fail', async () => {
    const all = loadDashboards()
    const postgres = all.filter((d) => d.uid === 'sretl-postgresql')
    const proofs = await waitFor(
      async () => {
        const found = await proveDashboards(postgres, { prometheusUrl: prometheus, requireData: true })
        return found.every((p) => p.ok) && found
      },
      { timeoutMs: 60_000, intervalMs: 1000, message: 'PostgreSQL dashboard queries return data' },
    ).catch(async (err: Error) => {
      const last = await proveDashboards(postgres, { prometheusUrl: prometheus, requireData: true })
      throw new Error(`${err.message}:\n${describeFailures(last).join('\n')}`)
    })
    assert.ok(proofs.length >= 15, `${proofs.length} queries`)
    // the rest is proven for syntax and semantics now; for data once the components land
    const everything = await proveDashboards(all, { prometheusUrl: prometheus, requireData: false })
    assert.deepEqual(describeFailures(everything), [])
    // panels that read the stand-in lander's lag already have data
    const lag = everything.filter((p) => /^Lag in (messages|seconds) by partition$/.test(p.query.panel))
    assert.equal(lag.length, 2)
    await waitFor(
      async () =>
        (
          await proveDashboards(
            all.filter((d) => d.uid === 'sretl-pipeline'),
            { prometheusUrl: prometheus, requireData: true },
          )
        )
          .filter((p) => p.query.panel.startsWith('Lag in'))
          .every((p) => p.ok),
      { timeoutMs: 30_000, message: 'lag panels have data' },
    )
  })

  test('a lander over 60 s behind should make the lag alert active in Prometheus', async () => {
    const active = await waitFor(
      async () => {
        const found = await alerts(prometheus)
        return !('error' in found) && found.find((a) => a.name === 'SretlLagHigh')
      },
      { timeoutMs: 60_000, message: 'SretlLagHigh pending or firing' },
    )
    assert.ok(['pending', 'firing'].includes(active.state))
    assert.equal(active.labels.severity, 'warning')
  })

  test('sretl status should show the lander’s lag per partition in messages and seconds', async () => {
    const result = await runCli(['status', '--json'], env)
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout) as {
      components: {
        name: string
        state?: string
        lag?: { partition: string; lagMessages: number; lagSeconds: number }[]
      }[]
      prometheus: { reachable: boolean; targetsUp: number }
    }
    assert.deepEqual(
      report.components.map((c) => [
        c.name,
        c.state,
        c.lag?.map((p) => [p.partition, p.lagMessages, p.lagSeconds]),
      ]),
      [
        [
          'lander',
          'RUNNING',
          [
            ['0', 100, 120],
            ['1', 200, 1],
            ['2', 300, 1],
          ],
        ],
      ],
    )
    assert.equal(report.prometheus.reachable, true)
    const text = await runCli(['status'], env)
    assert.match(text.stdout, /Lag of the lander/)
    assert.match(text.stdout, /sales\.events\.v1\/0\s+100\s+120\.0 s/)
    assert.match(text.stdout, /total \/ worst\s+600\s+120\.0 s/)
    assert.match(text.stdout, new RegExp(`Prometheus ${prometheus}: 4/4 targets up`))
  })

  test('sretl smoke should pass while rows land, and fail naming stale rows when they stop', async () => {
    const writer = new pg.Client({ connectionString: db.url })
    await writer.connect()
    let inserting = true
    const insert = async () => {
      while (inserting) {
        await insertSaleLine(
          writer,
          makeSaleLine({ event_time: new Date(Date.now() - 60_000).toISOString() }),
        )
        await new Promise((r) => setTimeout(r, 300))
      }
    }
    const inserter = insert()
    let passing: Awaited<ReturnType<typeof runCli>>
    try {
      passing = await runCli(
        [
          'smoke',
          '--require-monitoring',
          '--timeout',
          '30',
          '--skip',
          'dashboards',
          '--expect-alert',
          'SretlLagHigh',
        ],
        env,
      )
    } finally {
      inserting = false
      await inserter
      await writer.end()
    }
    assert.equal(passing.code, 0, `${passing.stdout}\n${passing.stderr}`)
    assert.match(passing.stdout, /^rows\s+PASS\s+sales_raw \+\d+ rows in/m)
    assert.match(passing.stdout, /^components\s+PASS\s+lander RUNNING/m)
    assert.match(passing.stdout, /^targets\s+PASS\s+4 targets UP/m)
    assert.match(passing.stdout, /^alerts\s+PASS/m)
    assert.match(passing.stdout, /^dashboards\s+SKIP/m)

    const stale = await runCli(
      [
        'smoke',
        '--require-monitoring',
        '--timeout',
        '6',
        '--skip',
        'dashboards',
        '--expect-alert',
        'SretlLagHigh',
      ],
      env,
    )
    assert.equal(stale.code, 1)
    assert.match(stale.stdout, /^rows\s+FAIL\s+sales_raw: no new rows in [\d.]+ s \(rows are stale/m)
    assert.match(stale.stderr, /1 of 4 checks failed: rows \[SMOKE_FAILED\]/)
  })

  test('sretl smoke should fail naming the lander when it stops', async () => {
    const lander = stack?.services.find((s) => s.name === 'lander')
    assert.ok(lander?.pid)
    process.kill(lander.pid, 'SIGKILL')
    await waitFor(
      async () => {
        const found = await activeTargets(prometheus)
        return !('error' in found) && found.some((t) => t.job === 'sretl-lander' && t.health === 'down')
      },
      { timeoutMs: 30_000, message: 'Prometheus sees the lander down' },
    )
    const result = await runCli(
      ['smoke', '--require-monitoring', '--timeout', '8', '--skip', 'rows,dashboards,alerts'],
      env,
    )
    assert.equal(result.code, 1)
    assert.match(result.stdout, /^components\s+FAIL\s+lander: \/status did not answer/m)
    assert.match(result.stdout, /^targets\s+FAIL\s+sretl-lander 127\.0\.0\.1:\d+ down/m)
  })
})

describe('the Retail dashboard', () => {
  test('every panel query should run on the real schema as sretl_reader and return the landed rows', async () => {
    const owner = new pg.Client({ connectionString: db.url })
    await owner.connect()
    try {
      await owner.query(
        `INSERT INTO stores (store_id, name, country, time_zone, currency, size_sqm) VALUES
           ('S001', 'Dublin Centre', 'IE', 'Europe/Dublin', 'EUR', 800), ('S002', 'Pune', 'IN', 'Asia/Kolkata', 'INR', 300)
         ON CONFLICT DO NOTHING`,
      )
      await owner.query(
        `INSERT INTO products (sku, name, category, list_price_minor) VALUES ('SKU-00001', 'Tea', 'grocery', 199)
         ON CONFLICT DO NOTHING`,
      )
      for (const [store, currency, type, minutesAgo] of [
        ['S001', 'EUR', 'SALE', 5],
        ['S002', 'INR', 'SALE', 30],
        ['S001', 'EUR', 'RETURN', 50],
      ] as const) {
        await insertSaleLine(
          owner,
          makeSaleLine({
            store_id: store,
            currency,
            event_type: type,
            event_time: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
            customer_ref: type === 'SALE' ? 'c0ffee' : null,
          }),
        )
      }
      const retail = loadDashboards().filter((d) => d.uid === 'sretl-retail')
      const proofs = await proveDashboards(retail, { db: owner, requireData: true })
      assert.ok(proofs.length >= 11)
      assert.deepEqual(describeFailures(proofs), [])
      // and as sretl_reader only: a panel touching a table the reader may not read fails
      const denied = await proveDashboards(
        [
          {
            uid: 'x',
            title: 'x',
            templating: retail[0]?.templating ?? { list: [] },
            panels: [
              {
                id: 1,
                type: 'table',
                title: 'offsets',
                datasource: { type: 'grafana-postgresql-datasource', uid: '${pg}' },
                targets: [{ refId: 'A', rawSql: 'INSERT INTO audit_log DEFAULT VALUES' }],
              },
            ],
          },
        ],
        { db: owner, requireData: false },
      )
      assert.match(denied[0]?.error ?? '', /read-only transaction|permission denied/)
    } finally {
      await owner.end()
    }
  })
})
