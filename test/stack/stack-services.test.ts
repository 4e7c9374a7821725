import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { silentLogger } from '../../src/platform/logger.ts'
import type { ProcessExit } from '../../src/stack/managed-process.ts'
import type { ProgressEvent } from '../../src/stack/progress.ts'
import { afterEvent, createStackServices } from '../../src/stack/stack-services.ts'
import type { ServiceState } from '../../src/stack/state.ts'
import type { SupervisorEvent } from '../../src/stack/supervisor.ts'

const policy = { initialBackoffMs: 50, maxBackoffMs: 50, maxRestarts: 3, windowMs: 60_000 }
const lander: ServiceState = { name: 'lander', kind: 'component', pid: 10, owned: true, address: 'http://x' }
const at = new Date('2026-12-05T10:00:00.000Z')

describe('afterEvent', () => {
  test('should take the new pid, restart count and state from a restart', () => {
    const event: SupervisorEvent = {
      name: 'lander',
      kind: 'restarted',
      state: 'running',
      restarts: 1,
      pid: 11,
      message: 'restarted',
    }
    assert.deepEqual(afterEvent(lander, event, at), {
      ...lander,
      pid: 11,
      restarts: 1,
      supervision: 'running',
      lastEvent: { at: '2026-12-05T10:00:00.000Z', message: 'restarted' },
    })
  })

  test('should keep the pid it had when the event is not a restart', () => {
    const event: SupervisorEvent = {
      name: 'lander',
      kind: 'gave-up',
      state: 'failed',
      restarts: 4,
      message: 'gave up',
    }
    const after = afterEvent(lander, event, at)
    assert.equal(after.pid, 10)
    assert.equal(after.supervision, 'failed')
  })

  test('should leave out the pid of a reused service', () => {
    const { pid: _pid, ...reused } = lander
    const event: SupervisorEvent = {
      name: 'lander',
      kind: 'exited',
      state: 'restarting',
      restarts: 0,
      message: 'x',
    }
    assert.equal('pid' in afterEvent(reused, event, at), false)
  })
})

describe('createStackServices', () => {
  test('should stop in reverse start order and report each stop', async () => {
    const progress: ProgressEvent[] = []
    const services = createStackServices({
      policy,
      logger: silentLogger(),
      onProgress: (e) => progress.push(e),
    })
    const stopped: string[] = []
    services.onStop('postgres', () => Promise.resolve(void stopped.push('postgres')))
    services.onStop('kafka', () => Promise.reject(new Error('broker stuck')))
    services.onStop('lander', () => Promise.resolve(void stopped.push('lander')))
    await services.stopAll()
    assert.deepEqual(stopped, ['lander', 'postgres'])
    assert.deepEqual(
      progress.filter((e) => e.state !== 'update').map((e) => `${e.step} ${e.state} ${e.detail}`),
      ['lander done stopped', 'kafka fail stop failed: broker stuck', 'postgres done stopped'],
    )
  })

  test('should update the listed service on a supervision event and end supervision before stopping', async () => {
    const seen: (readonly ServiceState[])[] = []
    const services = createStackServices({
      policy,
      logger: silentLogger(),
      onProgress: () => undefined,
      onSupervision: (_event, list) => seen.push(list.map((s) => ({ ...s }))),
    })
    services.add(lander)
    let exit: (e: ProcessExit) => void = () => undefined
    const first = { pid: 10, exited: new Promise<ProcessExit>((resolve) => (exit = resolve)) }
    let restarts = 0
    services.supervise('lander', first, () => {
      restarts += 1
      return Promise.resolve(first)
    })
    exit({ code: 1, signal: null })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(services.list[0]?.supervision, 'restarting')
    assert.equal(seen.length, 1)
    await services.stopAll()
    assert.equal(restarts, 0)
  })
})
