import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ProcessExit } from '../../src/stack/managed-process.ts'
import { backoffDelay, supervise, type SupervisorEvent } from '../../src/stack/supervisor.ts'

interface Fake {
  pid: number
  exited: Promise<ProcessExit>
  die(exit?: ProcessExit): void
}

let nextPid = 100
function fake(): Fake {
  let die: (exit: ProcessExit) => void = () => undefined
  const exited = new Promise<ProcessExit>((resolve) => (die = resolve))
  return { pid: nextPid++, exited, die: (exit = { code: null, signal: 'SIGKILL' }) => die(exit) }
}

const policy = { initialBackoffMs: 100, maxBackoffMs: 1000, maxRestarts: 3, windowMs: 60_000 }
const settle = () => new Promise((resolve) => setImmediate(resolve))

function harness() {
  let now = 0
  const sleeps: number[] = []
  const events: SupervisorEvent[] = []
  const started: Fake[] = []
  const first = fake()
  const supervisor = supervise({
    name: 'lander',
    first,
    policy,
    restart: () => {
      const next = fake()
      started.push(next)
      return Promise.resolve(next)
    },
    onEvent: (e) => events.push(e),
    clock: () => now,
    sleep: (ms) => {
      sleeps.push(ms)
      return Promise.resolve()
    },
  })
  return { supervisor, first, sleeps, events, started, advance: (ms: number) => (now += ms) }
}

describe('supervise', () => {
  test('should restart a process that died and count the restart', async () => {
    const h = harness()
    h.first.die()
    await settle()
    await settle()
    assert.equal(h.supervisor.restarts(), 1)
    assert.equal(h.supervisor.state(), 'running')
    assert.equal(h.supervisor.current().pid, h.started[0]?.pid)
    assert.deepEqual(
      h.events.map((e) => e.kind),
      ['exited', 'restarted'],
    )
    assert.match(h.events[0]?.message ?? '', /lander exited unexpectedly \(SIGKILL\)/)
  })

  test('should double the backoff with each exit inside the window and reset after it', async () => {
    const h = harness()
    h.first.die()
    for (let i = 0; i < 2; i++) {
      await settle()
      await settle()
      h.supervisor.current().die({ code: 1, signal: null })
    }
    await settle()
    await settle()
    assert.deepEqual(h.sleeps, [100, 200, 400])
    h.advance(61_000)
    h.supervisor.current().die({ code: 1, signal: null })
    await settle()
    await settle()
    assert.equal(h.sleeps.at(-1), 100, 'exits older than the window no longer count')
  })

  test('should give up after more exits than allowed within the window and say why', async () => {
    const h = harness()
    h.first.die({ code: 1, signal: null })
    for (let i = 0; i < 3; i++) {
      await settle()
      await settle()
      h.supervisor.current().die({ code: 1, signal: null })
    }
    await settle()
    await settle()
    assert.equal(h.supervisor.state(), 'failed')
    assert.equal(h.supervisor.restarts(), 3)
    assert.match(h.supervisor.failure() ?? '', /4 failures within 60 s \(last: code 1\); not restarting/)
    assert.equal(h.events.at(-1)?.kind, 'gave-up')
  })

  test('should count a restart that throws as a failure and try again', async () => {
    let now = 0
    let attempts = 0
    const events: SupervisorEvent[] = []
    const first = fake()
    const supervisor = supervise({
      name: 'kafka',
      first,
      policy,
      restart: () => {
        attempts += 1
        if (attempts === 1) return Promise.reject(new Error('port taken\nmore'))
        return Promise.resolve(fake())
      },
      onEvent: (e) => events.push(e),
      clock: () => (now += 1),
      sleep: () => Promise.resolve(),
    })
    first.die()
    for (let i = 0; i < 6; i++) await settle()
    assert.equal(supervisor.restarts(), 1)
    assert.deepEqual(
      events.map((e) => e.kind),
      ['exited', 'restart-failed', 'restarted'],
    )
    assert.match(events[1]?.message ?? '', /kafka could not be restarted: port taken$/)
  })

  test('should not restart after stop', async () => {
    const h = harness()
    await h.supervisor.stop()
    h.first.die()
    await settle()
    assert.equal(h.started.length, 0)
    assert.equal(h.supervisor.state(), 'stopped')
  })

  test('backoffDelay should be capped', () => {
    assert.equal(backoffDelay(policy, 1), 100)
    assert.equal(backoffDelay(policy, 5), 1000)
    assert.equal(backoffDelay(policy, 500), 1000)
  })
})
