/**
 * `sretl up --secure` as a new user runs it: a child process with a private SRETL_HOME, free
 * ports, its own topic prefix and login prefix, a broker of its own over SASL_SSL and a private
 * PostgreSQL cluster over TLS. The tests run in order against that one stack, end with
 * `sretl down` and check that no process and no cluster is left.
 *
 * The rotation check: with the simulator producing at 1,000 events/s, `sretl rotate-secrets`
 * replaces every secret; then the simulator is paused and the lander drains to lag 0. Nothing is
 * lost when sales_raw holds every record of the sales topic (rows = sum of end offsets) and at
 * least every event the simulator and the gateway had acknowledged; nothing is doubled when
 * every event_id is there once (rows = distinct event_ids).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { loadConfig } from '../../src/platform/config.ts'
import { baseConfigSection } from '../../src/platform/base-config.ts'
import { connection } from '../../src/platform/kafka.ts'
import { createClient, sqlState, type ConnectionSettings } from '../../src/platform/postgres.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { isPidAlive } from '../../src/stack/managed-process.ts'
import { listClusters } from '../../src/stack/postgres-server.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { readStackState } from '../../src/stack/state.ts'
import { withSecureStackEnv } from '../../src/cli/secure-env.ts'
import { adminHeaders, getJson, postJson } from '../support/components.ts'
import { PanelSession } from '../support/control.ts'
import { makeSaleLine } from '../support/events.ts'
import {
  monitoringPorts,
  runCli,
  startCli,
  testEnv,
  uniqueId,
  waitFor,
  type BackgroundCli,
} from '../support/harness.ts'

const installed = (command: string) => spawnSync('sh', ['-c', 'command -v "$0"', command]).status === 0

let env: Record<string, string>
let up: BackgroundCli
let upPid = 0
let pids: { name: string; pid: number }[] = []
let downDone = false

/** What `sretl` commands by hand get: the environment plus the stack's tools.env. */
const toolsSettings = () => loadConfig(withSecureStackEnv(env), baseConfigSection)
const url = (name: string): string =>
  readStackState(join(env.SRETL_HOME ?? '', 'run'))?.services.find((s) => s.name === name)?.address ?? ''

async function query<T>(sql: string): Promise<T[]> {
  const client = createClient(toolsSettings().postgres, { connectTimeoutMs: 10_000 })
  await client.connect()
  try {
    return (await client.query(sql)).rows as T[]
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function counts(): Promise<{ total: number; distinct: number }> {
  const [r] = await query<{ total: string; distinct: string }>(
    'SELECT count(*) AS total, count(DISTINCT event_id) AS distinct FROM sales_raw',
  )
  return { total: Number(r?.total ?? 0), distinct: Number(r?.distinct ?? 0) }
}

async function salesEndOffsets(): Promise<number> {
  const kafka = toolsSettings().kafka
  const topic = topicNames(kafka).salesEvents
  const admin = new Admin(connection(kafka, 'test-offsets'))
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
    const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0
    const listed = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, timestamp: -1n })),
        },
      ],
    })
    return listed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0)
  } finally {
    await admin.close()
  }
}

interface SimulatorStatus {
  readonly eventsProduced: number
  readonly eventsUnacknowledged: number
  readonly paused: boolean
}
const simulatorStatus = async () =>
  (await getJson<{ details: SimulatorStatus }>(`${url('simulator')}/status`)).details
const gatewayKey = () =>
  readFileSync(join(env.SRETL_HOME ?? '', 'secrets', 'gateway-local.key'), 'utf8').trim()
let gatewayAccepted = 0

before(async () => {
  env = testEnv({ extra: await monitoringPorts() })
  delete env.KAFKA_BOOTSTRAP_SERVERS
  for (const name of [
    'KAFKA_PORT',
    'KAFKA_CONTROLLER_PORT',
    'GATEWAY_PORT',
    'SIMULATOR_PORT',
    'LANDER_PORT',
    'CONTROL_PORT',
  ]) {
    env[name] = String(await findFreePort())
  }
  env.KAFKA_HEAP = '384m'
  env.DATABASE_LOGIN_PREFIX = `sw${uniqueId()}_`
  env.RATE_PER_SEC = '1000'
  for (const fault of ['DUPLICATE', 'MALFORMED', 'FAR_DATE']) env[`SIMULATOR_FAULT_${fault}_SHARE`] = '0'
})

after(async () => {
  if (!downDone && up) {
    up.child.kill('SIGTERM')
    await up.exited
  }
})

describe('sretl up --secure', { concurrency: false }, () => {
  test('should start the whole pipeline over SASL_SSL and TLS and say how long it took', async () => {
    up = startCli(['up', '--secure'], env)
    const ready = await up.waitForLine(/^Ready \(secure mode\) in /, 400_000)
    const state = readStackState(join(env.SRETL_HOME ?? '', 'run'))
    assert.ok(state?.secure, 'the state says the stack is secure')
    upPid = state.upPid
    pids = state.services.flatMap((s) => (s.owned && s.pid ? [{ name: s.name, pid: s.pid }] : []))
    for (const name of ['kafka', 'lander', 'gateway', 'simulator', 'control']) {
      assert.ok(
        pids.some((p) => p.name === name),
        `${name} runs`,
      )
    }
    // `up` is ready once every process runs; each component then connects over TLS and SASL_SSL
    for (const name of ['lander', 'gateway', 'simulator', 'control']) {
      await waitFor(async () => (await fetch(`${url(name)}/readyz`)).ok, {
        timeoutMs: 120_000,
        message: `${name} not ready`,
      })
    }
    assert.match(url('postgres'), /^postgres:\/\/sretl@127\.0\.0\.1:\d+\/sretl$/)
    const settings = toolsSettings()
    assert.equal(settings.kafka.security?.protocol, 'SASL_SSL')
    assert.equal(settings.postgres.sslMode, 'verify-full')
    const [tls] = await query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
    assert.equal(tls?.ssl, true, 'sretl’s own connection is TLS')
    // every component session of the pipeline is TLS too
    const sessions = await query<{ usename: string; ssl: boolean }>(
      `SELECT a.usename, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename LIKE '${env.DATABASE_LOGIN_PREFIX}%'`,
    )
    assert.ok(sessions.length > 0, 'the components are connected under their own logins')
    assert.ok(
      sessions.every((s) => s.ssl),
      JSON.stringify(sessions),
    )
    process.stderr.write(`# secure start-up: ${ready}\n`)
  })

  test('a connection to the private PostgreSQL cluster without TLS should be refused by pg_hba (28000)', async () => {
    const settings: ConnectionSettings = { ...toolsSettings().postgres, sslMode: 'disable' }
    const client = createClient(settings, { connectTimeoutMs: 5000 })
    const outcome = await client.connect().then(
      () => 'connected',
      (err: unknown) => sqlState(err) ?? String(err),
    )
    await client.end().catch(() => undefined)
    assert.equal(outcome, '28000')
  })

  test('a Kafka client without credentials should be refused', async () => {
    const kafka = { ...toolsSettings().kafka, security: undefined }
    const admin = new Admin({ ...connection(kafka, 'test-anonymous'), retries: 0 })
    const outcome = await Promise.race([
      admin.listTopics().then(
        (topics) => `listed ${topics.length} topics`,
        (err: unknown) => `refused: ${String(err)}`,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('refused: no answer in 30 s'), 30_000)),
    ])
    await admin.close().catch(() => undefined)
    assert.match(outcome, /^refused: /)
  })

  test('events from the simulator and through the gateway with the generated key should land in sales_raw once each', async () => {
    const events = Array.from({ length: 40 }, (_, i) => makeSaleLine({ receipt_id: `secure-stack-${i}` }))
    const refused = await postJson(`${url('gateway')}/v1/sales`, events, {
      authorization: 'Bearer sretl-dev-key',
    })
    assert.ok(
      [401, 403].includes(refused.status),
      `the well-known development key is refused (${refused.status})`,
    )
    const answer = await postJson(`${url('gateway')}/v1/sales`, events, {
      authorization: `Bearer ${gatewayKey()}`,
    })
    assert.ok(answer.status >= 200 && answer.status < 300, `gateway answered ${answer.status}`)
    gatewayAccepted += events.length
    const ids = events.map((e) => `'${e.event_id}'`).join(',')
    const landed = await waitFor(
      async () => {
        const rows = await query<{ event_id: string; n: string }>(
          `SELECT event_id::text, count(*) AS n FROM sales_raw WHERE event_id IN (${ids}) GROUP BY event_id`,
        )
        return rows.length === events.length ? rows : undefined
      },
      { timeoutMs: 120_000, message: 'the gateway’s events did not land' },
    )
    assert.deepEqual(landed.map((r) => r.event_id).sort(), events.map((e) => e.event_id).sort())
    assert.ok(
      landed.every((r) => r.n === '1'),
      'each once',
    )
    const simulated = await query<{ n: string }>(
      `SELECT count(*) AS n FROM sales_raw WHERE event_id NOT IN (${ids})`,
    )
    assert.ok(Number(simulated[0]?.n) > 0, 'the simulator’s events land too')
  })

  test('the control panel’s overview should answer the first-run admin', async () => {
    const text = readFileSync(join(env.SRETL_HOME ?? '', 'control', 'first-run-admin.txt'), 'utf8')
    const field = (name: string) => new RegExp(`^${name}: (.+)$`, 'm').exec(text)?.[1]?.trim() ?? ''
    const session = await PanelSession.signIn(url('control'), {
      user: field('user'),
      password: field('password'),
      role: 'admin',
      token: '',
    })
    const overview = await session.get('/api/v1/overview')
    assert.equal(overview.status, 200, JSON.stringify(overview.body))
  })

  test('sretl smoke should pass against the secure stack with nothing but SRETL_HOME', async () => {
    const monitoring = installed('prometheus') ? ['--require-monitoring'] : []
    const smoke = await runCli(['smoke', '--timeout', '180', ...monitoring], env, 300_000)
    assert.equal(smoke.code, 0, `${smoke.stdout}\n${smoke.stderr}`)
  })

  test('sretl rotate-secrets at 1,000 events/s should lose and double no event', async () => {
    const startedAt = await simulatorStatus()
    const t0 = Date.now()
    const files = ['pg-sretl.password', `kafka-lander.password`, 'component-admin-token'].map((f) =>
      join(env.SRETL_HOME ?? '', 'secrets', f),
    )
    const before = files.map((f) => readFileSync(f, 'utf8'))
    const rotate = await runCli(['rotate-secrets'], env, 300_000)
    assert.equal(rotate.code, 0, `${rotate.stdout}\n${rotate.stderr}`)
    for (const step of ['component-admin-token', 'database-logins', 'kafka-scram']) {
      assert.match(rotate.stdout, new RegExp(`^${step}: `, 'm'))
    }
    assert.doesNotMatch(rotate.stdout, /skipped/)
    files.forEach((f, i) => assert.notEqual(readFileSync(f, 'utf8'), before[i], `${f} changed`))
    // the gateway after the rotation: its next produce uses the new password if it reconnects
    const late = Array.from({ length: 20 }, (_, i) => makeSaleLine({ receipt_id: `secure-stack-late-${i}` }))
    const answer = await postJson(`${url('gateway')}/v1/sales`, late, {
      authorization: `Bearer ${gatewayKey()}`,
    })
    assert.ok(answer.status >= 200 && answer.status < 300, `gateway answered ${answer.status}`)
    gatewayAccepted += late.length
    await new Promise((resolve) => setTimeout(resolve, 5000))
    // pause intake (with the new component-admin token), then drain
    const pause = await postJson(`${url('simulator')}/pause`, { reason: 'rotation check' }, adminHeaders(env))
    assert.ok(pause.status >= 200 && pause.status < 300, JSON.stringify(pause.body))
    const produced = await waitFor(
      async () => {
        const a = await simulatorStatus()
        await new Promise((resolve) => setTimeout(resolve, 1000))
        const b = await simulatorStatus()
        return b.paused && a.eventsProduced === b.eventsProduced ? b : undefined
      },
      { timeoutMs: 60_000, message: 'the simulator did not settle after pause' },
    )
    const rate = (produced.eventsProduced - startedAt.eventsProduced) / ((Date.now() - t0) / 1000)
    const offsets = await salesEndOffsets()
    const landed = await waitFor(
      async () => {
        const c = await counts()
        return c.total >= offsets ? c : undefined
      },
      { timeoutMs: 180_000, message: `sales_raw did not reach the topic's ${offsets} records` },
    )
    process.stderr.write(
      `# rotation under load: simulator ${Math.round(rate)} events/s over the window; produced ${produced.eventsProduced} (unacknowledged ${produced.eventsUnacknowledged}), gateway ${gatewayAccepted}, topic ${offsets}, rows ${landed.total}, distinct ${landed.distinct}\n`,
    )
    assert.equal(landed.distinct, landed.total, 'no event_id twice')
    assert.equal(landed.total, offsets, 'every record of the topic landed, none twice')
    assert.ok(
      landed.total >= produced.eventsProduced + gatewayAccepted,
      'every acknowledged event of the simulator and the gateway is in sales_raw',
    )
    assert.ok(
      landed.total <= produced.eventsProduced + produced.eventsUnacknowledged + gatewayAccepted,
      'nothing beyond what was sent',
    )
  })

  test('sretl down should leave no process and no PostgreSQL cluster behind', async () => {
    const down = await runCli(['down'], env, 200_000)
    downDone = true
    assert.equal(down.code, 0, down.stderr)
    assert.equal(await up.exited, 0)
    for (const { name, pid } of pids) {
      await waitFor(() => !isPidAlive(pid), {
        timeoutMs: 30_000,
        message: `${name} (pid ${pid}) still running`,
      })
    }
    const clusters = await listClusters()
    assert.ok(!clusters.some((c) => c.name === `sretl_secure_${upPid}`), 'the private cluster was dropped')
    assert.equal(readStackState(join(env.SRETL_HOME ?? '', 'run')), undefined)
  })
})
