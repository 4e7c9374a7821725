import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { isPidAlive } from '../../src/stack/managed-process.ts'
import { findFreePort, isPortFree } from '../../src/stack/ports.ts'
import { readStackState } from '../../src/stack/state.ts'
import {
  createTestDatabase,
  runCli,
  startCli,
  upEnv,
  waitFor,
  type TestDatabase,
} from '../support/harness.ts'

let db: TestDatabase
before(async () => {
  db = await createTestDatabase()
})
after(() => db.drop())

const localStackEnv = () => upEnv(db.url)

async function startUp(env: Record<string, string>) {
  const up = startCli(['up'], env)
  await up.waitForLine(/^Ready in /, 180_000)
  const state = readStackState(join(env.SRETL_HOME ?? '', 'run'))
  assert.ok(state, 'up writes its state file')
  const kafka = state.services.find((s) => s.name === 'kafka')
  assert.ok(kafka?.pid, 'up started its own Kafka')
  assert.ok(isPidAlive(kafka.pid))
  assert.equal(await isPortFree(Number(env.KAFKA_PORT)), false, 'Kafka listens on KAFKA_PORT')
  return { up, kafkaPid: kafka.pid }
}

async function assertNothingLeft(env: Record<string, string>, kafkaPid: number): Promise<void> {
  await waitFor(() => !isPidAlive(kafkaPid), {
    timeoutMs: 30_000,
    message: `Kafka (pid ${kafkaPid}) still running`,
  })
  assert.equal(await isPortFree(Number(env.KAFKA_PORT)), true, 'client port released')
  assert.equal(await isPortFree(Number(env.KAFKA_CONTROLLER_PORT)), true, 'controller port released')
  assert.equal(readStackState(join(env.SRETL_HOME ?? '', 'run')), undefined, 'state file removed')
}

describe('sretl up', () => {
  test('up then down should leave no process and no listening port behind', async () => {
    const env = await localStackEnv()
    const { up, kafkaPid } = await startUp(env)
    const status = await runCli(['status', '--json'], env)
    assert.equal(status.code, 0, status.stderr)
    const report = JSON.parse(status.stdout) as {
      stack: { running: boolean }
      kafka: { topics: { partitions: number | null }[] }
    }
    assert.equal(report.stack.running, true)
    assert.deepEqual(
      report.kafka.topics.map((t) => t.partitions),
      [6, 3],
    )

    const down = await runCli(['down'], env)
    assert.equal(down.code, 0, down.stderr)
    assert.equal(await up.exited, 0)
    await assertNothingLeft(env, kafkaPid)
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`up should stop everything it started on ${signal}`, async () => {
      const env = await localStackEnv()
      const { up, kafkaPid } = await startUp(env)
      up.child.kill(signal)
      assert.equal(await up.exited, 0)
      await assertNothingLeft(env, kafkaPid)
    })
  }

  test('a second up should refuse while the first runs', async () => {
    const env = await localStackEnv()
    const { up, kafkaPid } = await startUp(env)
    const second = await runCli(['up'], env)
    assert.equal(second.code, 1)
    assert.match(second.stderr, /already running .*pid \d+.*\[STACK_ALREADY_RUNNING\]/)
    up.child.kill('SIGTERM')
    await up.exited
    await assertNothingLeft(env, kafkaPid)
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
