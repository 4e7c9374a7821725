import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { kafkaAnswers } from '../../src/platform/kafka.ts'
import { isPidAlive } from '../../src/stack/managed-process.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { readStackState } from '../../src/stack/state.ts'
import { makeSaleLine } from '../support/events.ts'
import { configFor, monitoringPorts, runCli, startCli, testEnv, upEnv, waitFor } from '../support/harness.ts'
import { assertLandedOnce, metricValue, produceContinuously, saleEvent } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

interface StatusJson {
  stack: { running: boolean; services: { name: string; state: string; pid?: number; restarts: number }[] }
}

const readyz = async (url: string): Promise<number> => {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).status
  } catch {
    return 0
  }
}

test('sretl up should restart a lander killed with SIGKILL, count the restart, and land every event once', async (t) => {
  // the run's Kafka, components on free ports, no monitoring: this test is about supervision
  const env = testEnv({ databaseUrl: db.url, extra: await monitoringPorts() })
  for (const name of ['GATEWAY_PORT', 'SIMULATOR_PORT', 'LANDER_PORT', 'CONTROL_PORT']) {
    env[name] = String(await findFreePort())
  }
  env.RATE_PER_SEC = '0'
  env.STACK_RESTART_BACKOFF_MS = '200'
  const landerUrl = `http://127.0.0.1:${env.LANDER_PORT}`
  const up = startCli(['up', '--no-monitoring'], env)
  try {
    await up.waitForLine(/^Ready in /, 180_000)
    await waitFor(async () => (await readyz(landerUrl)) === 200, {
      timeoutMs: 60_000,
      message: 'lander ready',
    })
    const runDir = join(env.SRETL_HOME ?? '', 'run')
    const before = readStackState(runDir)?.services.find((s) => s.name === 'lander')?.pid
    assert.ok(before && isPidAlive(before), 'up started the lander')

    const kafka = configFor(env).kafka
    const stream = produceContinuously(
      kafka,
      (i) =>
        saleEvent(
          makeSaleLine({ receipt_id: `RC-sup-${i}`, store_id: `S${String(i % 7).padStart(3, '0')}` }),
        ),
      { perTick: 20, everyMs: 50 },
    )
    await waitFor(() => stream.sent >= 200, { message: 'events produced before the kill' })
    const killedAt = Date.now()
    process.kill(before, 'SIGKILL')
    const after = await waitFor(
      async () => {
        const pid = readStackState(runDir)?.services.find((s) => s.name === 'lander')?.pid
        return pid && pid !== before && isPidAlive(pid) && (await readyz(landerUrl)) === 200 ? pid : undefined
      },
      { timeoutMs: 60_000, intervalMs: 50, message: 'the lander back with a new pid and /readyz 200' },
    )
    t.diagnostic(`lander back (new pid ${after}, /readyz 200) ${Date.now() - killedAt} ms after kill -9`)
    await waitFor(() => stream.sent >= 600, { message: 'events produced after the restart' })
    const produced = await stream.stop()

    const pool = db.pool('sretl_reader')
    await waitFor(
      async () =>
        (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_raw')).rows[0]?.n ===
        produced.length,
      { timeoutMs: 60_000, message: 'every produced event landed' },
    )
    await assertLandedOnce(pool, produced)

    const status = await runCli(['status', '--json'], env)
    const report = JSON.parse(status.stdout) as StatusJson
    const lander = report.stack.services.find((s) => s.name === 'lander')
    assert.deepEqual(
      { state: lander?.state, pid: lander?.pid, restarts: lander?.restarts },
      { state: 'running', pid: after, restarts: 1 },
    )
    assert.equal(report.stack.services.find((s) => s.name === 'gateway')?.restarts, 0)
    const text = await runCli(['status'], env)
    assert.match(text.stdout, /lander: lander restarted after 200 ms \(pid \d+, restart 1\)/)

    // the control service mirrors the state file as a metric (for SretlComponentRestarting)
    const metrics = await waitFor(
      async () => {
        const body = await (await fetch(`http://127.0.0.1:${env.CONTROL_PORT}/metrics`)).text()
        return metricValue(body, 'sretl_control_stack_restarts_total', { service: 'lander' }) === 1
          ? body
          : undefined
      },
      { message: 'sretl_control_stack_restarts_total{service="lander"} 1' },
    )
    assert.equal(metricValue(metrics, 'sretl_control_stack_restarts_total', { service: 'gateway' }), 0)
    assert.match(up.output(), /lander exited unexpectedly \(SIGKILL\); restarting it/)
    assert.match(up.output(), /lander restarted after 200 ms/)
  } finally {
    up.child.kill('SIGTERM')
    assert.equal(await up.exited, 0, up.output())
  }
})

test('sretl up should give up on a component that keeps exiting, say why, and keep the rest running', async () => {
  const env = testEnv({ databaseUrl: db.url, extra: await monitoringPorts() })
  for (const name of ['GATEWAY_PORT', 'SIMULATOR_PORT', 'LANDER_PORT', 'CONTROL_PORT']) {
    env[name] = String(await findFreePort())
  }
  env.RATE_PER_SEC = '0'
  env.STACK_RESTART_BACKOFF_MS = '100'
  env.STACK_CRASH_LOOP_RESTARTS = '2'
  // the simulator refuses this at start-up, every time
  env.SIMULATOR_ZIPF_EXPONENT = 'banana'
  const up = startCli(['up', '--no-monitoring'], env)
  try {
    await up.waitForLine(
      /simulator 3 failures within 120 s \(last: code \d+\); not restarting it again/,
      180_000,
    )
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as StatusJson
    const simulator = status.stack.services.find((s) => s.name === 'simulator')
    assert.deepEqual(
      { state: simulator?.state, restarts: simulator?.restarts },
      { state: 'failed (gave up)', restarts: 2 },
    )
    assert.equal(status.stack.services.find((s) => s.name === 'lander')?.state, 'running')
    assert.equal(await readyz(`http://127.0.0.1:${env.LANDER_PORT}`), 200)
  } finally {
    up.child.kill('SIGTERM')
    assert.equal(await up.exited, 0, up.output())
  }
})

test('sretl up should restart the Kafka broker it started when it is killed, and keep the stack running', async () => {
  const env = await upEnv(db.url)
  env.RATE_PER_SEC = '0'
  env.STACK_RESTART_BACKOFF_MS = '200'
  const up = startCli(['up', '--no-monitoring', '--no-components'], env)
  try {
    await up.waitForLine(/^Ready in /, 180_000)
    const runDir = join(env.SRETL_HOME ?? '', 'run')
    const before = readStackState(runDir)?.services.find((s) => s.name === 'kafka')?.pid
    assert.ok(before && isPidAlive(before), 'up started its own Kafka')
    process.kill(before, 'SIGKILL')
    const after = await waitFor(
      () => {
        const kafka = readStackState(runDir)?.services.find((s) => s.name === 'kafka')
        return kafka?.pid && kafka.pid !== before && kafka.restarts === 1 && isPidAlive(kafka.pid)
          ? kafka.pid
          : undefined
      },
      { timeoutMs: 180_000, message: 'Kafka restarted with a new pid' },
    )
    const kafka = configFor({ ...env, KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${env.KAFKA_PORT}` }).kafka
    assert.equal(await kafkaAnswers(kafka), true, 'the restarted broker answers')
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as StatusJson
    assert.deepEqual(
      status.stack.services.filter((s) => s.name === 'kafka').map((s) => [s.state, s.pid, s.restarts]),
      [['running', after, 1]],
    )
  } finally {
    up.child.kill('SIGTERM')
    assert.equal(await up.exited, 0, up.output())
  }
})
