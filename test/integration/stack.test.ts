import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { isPidAlive } from '../../src/stack/managed-process.ts'
import { findFreePort, isPortFree } from '../../src/stack/ports.ts'
import { readStackState } from '../../src/stack/state.ts'
import { monitoringPorts, runCli, startCli, testEnv, upEnv, waitFor } from '../support/harness.ts'
import { useTestDatabase } from '../support/test-database.ts'
import { skipUnlessInstalled } from '../support/tools.ts'

const db = useTestDatabase()

const localStackEnv = () => upEnv(db.url)
/** `up` reusing the run's Kafka: for tests about other parts, so they need not start a broker. */
const reusedKafkaEnv = async () => testEnv({ databaseUrl: db.url, extra: await monitoringPorts() })

const MONITORING = [
  { name: 'postgres-exporter', command: 'prometheus-postgres-exporter', port: 'POSTGRES_EXPORTER_PORT' },
  { name: 'alertmanager', command: 'prometheus-alertmanager', port: 'ALERTMANAGER_PORT' },
  { name: 'prometheus', command: 'prometheus', port: 'PROMETHEUS_PORT' },
] as const
const PORT_VARIABLES = ['KAFKA_PORT', 'KAFKA_CONTROLLER_PORT', ...MONITORING.map((m) => m.port)]
const installed = (command: string) => spawnSync('sh', ['-c', 'command -v "$0"', command]).status === 0

async function startUp(env: Record<string, string>) {
  const up = startCli(['up'], env)
  await up.waitForLine(/^Ready in /, 180_000)
  const state = readStackState(join(env.SRETL_HOME ?? '', 'run'))
  assert.ok(state, 'up writes its state file')
  const kafka = state.services.find((s) => s.name === 'kafka')
  assert.ok(kafka?.pid, 'up started its own Kafka')
  assert.ok(isPidAlive(kafka.pid))
  assert.equal(await isPortFree(Number(env.KAFKA_PORT)), false, 'Kafka listens on KAFKA_PORT')
  for (const part of MONITORING) {
    const service = state.services.find((s) => s.name === part.name)
    if (!installed(part.command)) {
      assert.match(
        up.output(),
        new RegExp(`${part.name} not installed: apt-get install .*; continuing without it`),
      )
      continue
    }
    assert.ok(service?.pid && isPidAlive(service.pid), `up started ${part.name}`)
    assert.equal(await isPortFree(Number(env[part.port])), false, `${part.name} listens on ${part.port}`)
  }
  if (installed('prometheus')) {
    assert.match(up.output(), new RegExp(`^Prometheus: http://127\\.0\\.0\\.1:${env.PROMETHEUS_PORT} `, 'm'))
  }
  const pids = state.services.flatMap((s) => (s.owned && s.pid ? [{ name: s.name, pid: s.pid }] : []))
  return { up, pids }
}

async function assertNothingLeft(
  env: Record<string, string>,
  pids: { name: string; pid: number }[],
): Promise<void> {
  for (const { name, pid } of pids) {
    await waitFor(() => !isPidAlive(pid), {
      timeoutMs: 30_000,
      message: `${name} (pid ${pid}) still running`,
    })
  }
  for (const variable of PORT_VARIABLES) {
    assert.equal(await isPortFree(Number(env[variable])), true, `${variable} released`)
  }
  assert.equal(readStackState(join(env.SRETL_HOME ?? '', 'run')), undefined, 'state file removed')
}

describe('sretl up', () => {
  test('up then down should leave no process and no listening port behind', async () => {
    const env = await localStackEnv()
    const { up, pids } = await startUp(env)
    const status = await runCli(['status', '--json'], env)
    assert.equal(status.code, 0, status.stderr)
    const report = JSON.parse(status.stdout) as {
      stack: { running: boolean }
      kafka: { topics: { partitions: number | null }[] }
    }
    assert.equal(report.stack.running, true)
    assert.deepEqual(
      report.kafka.topics.map((t) => t.partitions),
      [6, 3, 3, 3, 3, 3],
      'sales, dead letters and the four aggregates',
    )

    const down = await runCli(['down'], env)
    assert.equal(down.code, 0, down.stderr)
    assert.equal(await up.exited, 0)
    await assertNothingLeft(env, pids)
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`up should stop everything it started on ${signal}`, async () => {
      const env = await localStackEnv()
      const { up, pids } = await startUp(env)
      up.child.kill(signal)
      assert.equal(await up.exited, 0)
      await assertNothingLeft(env, pids)
    })
  }

  test('a second up should refuse while the first runs', async () => {
    const env = await localStackEnv()
    const { up, pids } = await startUp(env)
    const second = await runCli(['up'], env)
    assert.equal(second.code, 1)
    assert.match(second.stderr, /already running .*pid \d+.*\[STACK_ALREADY_RUNNING\]/)
    up.child.kill('SIGTERM')
    await up.exited
    await assertNothingLeft(env, pids)
  })

  test('a monitoring part that is not installed should be named and skipped, the rest running', async () => {
    const env = await reusedKafkaEnv()
    env.PROMETHEUS_CMD = '/nonexistent/prometheus'
    const up = startCli(['up', '--no-components'], env)
    await up.waitForLine(/^Ready in /, 120_000)
    assert.match(
      up.output(),
      /prometheus not installed: apt-get install prometheus; continuing without it \(PROMETHEUS_CMD=\/nonexistent\/prometheus does not exist\)/,
    )
    assert.doesNotMatch(up.output(), /^Prometheus: /m)
    const state = readStackState(join(env.SRETL_HOME ?? '', 'run'))
    assert.equal(
      state?.services.find((s) => s.name === 'prometheus'),
      undefined,
    )
    up.child.kill('SIGTERM')
    assert.equal(await up.exited, 0)
    for (const variable of ['PROMETHEUS_PORT', 'ALERTMANAGER_PORT', 'POSTGRES_EXPORTER_PORT']) {
      assert.equal(await isPortFree(Number(env[variable])), true, `${variable} released`)
    }
  })
})

describe('start-up errors give one clear line', () => {
  async function expectOneLineError(
    env: Record<string, string>,
    pattern: RegExp,
    exitCode = 1,
  ): Promise<void> {
    const result = await runCli(['up'], env, 300_000)
    const lines = result.stderr.split('\n').filter(Boolean)
    assert.equal(result.code, exitCode, `exit code; stderr: ${result.stderr}`)
    assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`)
    assert.match(lines[0] ?? '', pattern)
  }

  test('an invalid environment variable should be named', async () => {
    const env = await localStackEnv()
    env.KAFKA_PORT = 'ninety'
    await expectOneLineError(env, /KAFKA_PORT: must be a whole number, got "ninety".*\[CONFIG_INVALID\]/, 2)
  })

  test('an unreachable PostgreSQL should be named with its address', async () => {
    const env = await localStackEnv()
    env.DATABASE_URL = `postgres://sretl:secret@127.0.0.1:${await findFreePort()}/nowhere`
    await expectOneLineError(
      env,
      /PostgreSQL at postgres:\/\/sretl:\*\*\*@127\.0\.0\.1:\d+\/nowhere did not answer: connection refused.*\[PG_UNREACHABLE\]/,
    )
  })

  test('missing Java should say what to install', async () => {
    const env = await localStackEnv()
    env.JAVA_HOME = '/nonexistent/jdk'
    await expectOneLineError(env, /no Java at JAVA_HOME=\/nonexistent\/jdk.*\[JAVA_MISSING\]/)
  })

  test('missing Maven should say what to install', async () => {
    const env = await localStackEnv()
    env.SRETL_CACHE_DIR = mkdtempSync(join(env.SRETL_HOME ?? '', 'cache-'))
    env.MAVEN_CMD = '/nonexistent/mvn'
    await expectOneLineError(env, /Maven is needed .* is not installed.*\[MAVEN_MISSING\]/)
  })

  test('a Kafka version Maven cannot resolve should be reported', async () => {
    const env = await localStackEnv()
    env.SRETL_CACHE_DIR = mkdtempSync(join(env.SRETL_HOME ?? '', 'cache-'))
    env.KAFKA_VERSION = '0.0.0-no-such-version'
    await expectOneLineError(
      env,
      /Maven could not fetch Kafka 0\.0\.0-no-such-version from Maven Central: .*\[MAVEN_RESOLVE_FAILED\]/,
    )
  })

  test(
    'a taken Prometheus port should be named with its variable',
    { skip: skipUnlessInstalled(installed('prometheus') ? false : 'prometheus is not installed') },
    async () => {
      const env = await reusedKafkaEnv()
      const squatter = createServer((socket) => socket.destroy())
      await new Promise<void>((resolve) => squatter.listen(Number(env.PROMETHEUS_PORT), '127.0.0.1', resolve))
      try {
        await expectOneLineError(
          env,
          new RegExp(`port ${env.PROMETHEUS_PORT} \\(Prometheus port; .*PROMETHEUS_PORT.*\\[PORT_IN_USE\\]`),
        )
      } finally {
        squatter.close()
      }
    },
  )

  test('a taken Kafka port should be named with its variable', async () => {
    const env = await localStackEnv()
    const squatter = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => squatter.listen(Number(env.KAFKA_PORT), '127.0.0.1', resolve))
    try {
      await expectOneLineError(
        env,
        new RegExp(
          `port ${env.KAFKA_PORT} \\(Kafka client port\\) is already taken.*KAFKA_PORT.*\\[PORT_IN_USE\\]`,
        ),
      )
    } finally {
      squatter.close()
    }
  })
})
