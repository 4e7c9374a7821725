import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Registry } from 'prom-client'
import { createStackReader, registerStackMetrics } from '../../src/control/stack-restarts.ts'
import { writeStackState } from '../../src/platform/stack-state.ts'

const state = (upPid: number) => ({
  upPid,
  startedAt: '2026-12-04T10:00:00.000Z',
  home: '/tmp/x',
  services: [
    { name: 'postgres', owned: false, address: 'postgres://x' },
    {
      name: 'lander',
      owned: true,
      pid: 12,
      address: 'http://127.0.0.1:8083',
      restarts: 2,
      supervision: 'running' as const,
      lastEvent: { at: '2026-12-04T10:05:00.000Z', message: 'lander restarted after 1000 ms' },
    },
    {
      name: 'simulator',
      owned: true,
      address: 'http://127.0.0.1:8082',
      restarts: 5,
      supervision: 'failed' as const,
    },
    { name: 'gateway', owned: true, address: 'http://127.0.0.1:8081' },
  ],
})

test('the stack reader should give restarts of the services sretl up owns, and the metrics should mirror them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-restarts-'))
  writeStackState(dir, state(process.pid))
  const read = createStackReader(dir, () => 0)
  assert.deepEqual(Object.fromEntries([...read()].map(([k, v]) => [k, [v.restarts, v.supervision]])), {
    lander: [2, 'running'],
    simulator: [5, 'failed'],
    gateway: [0, 'running'],
  })
  const registry = new Registry()
  registerStackMetrics(registry, read)
  const text = await registry.metrics()
  assert.match(text, /sretl_control_stack_restarts_total\{service="lander"\} 2/)
  assert.match(text, /sretl_control_stack_restarts_total\{service="gateway"\} 0/)
  assert.match(text, /sretl_control_stack_gave_up\{service="simulator"\} 1/)
  assert.match(text, /sretl_control_stack_gave_up\{service="lander"\} 0/)
})

test('the stack reader should report nothing when sretl up is gone or never ran', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-restarts-'))
  assert.equal(createStackReader(dir, () => 0)().size, 0)
  // a pid that cannot be alive: the file outlived its sretl up
  writeStackState(dir, state(2 ** 22 + 12345))
  assert.equal(createStackReader(dir, () => 0)().size, 0)
})
