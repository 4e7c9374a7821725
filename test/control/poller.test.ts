import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ComponentState, ComponentStatus } from '../../src/platform/component-server.ts'
import type { ComponentName } from '../../src/platform/control-targets.ts'
import type { ComponentClient } from '../../src/control/component-client.ts'
import { Poller, type Snapshot } from '../../src/control/poller.ts'

/** Components answering from a table the test changes (the poller's own logic is under test). */
function tableClient(states: Map<ComponentName, ComponentState>): ComponentClient {
  const status = (name: ComponentName): ComponentStatus => ({
    component: name,
    instance: 'test:1',
    state: states.get(name) ?? 'RUNNING',
    since: new Date(0).toISOString(),
    heartbeatAt: new Date().toISOString(),
    details: {},
  })
  return {
    urls: {} as ComponentClient['urls'],
    issued: () => false,
    status: (name) => Promise.resolve(status(name)),
    post: () => Promise.reject(new Error('not used')),
    metrics: () => Promise.resolve(''),
  }
}

test('poller refresh should show a commanded component’s new state at once, without adding a chart point', async () => {
  const states = new Map<ComponentName, ComponentState>([
    ['simulator', 'RUNNING'],
    ['gateway', 'RUNNING'],
  ])
  const poller = new Poller({
    client: tableClient(states),
    components: ['simulator', 'gateway'],
    intervalMs: 60_000,
    historyPoints: 10,
    health: { lagWarnSeconds: 60, lagCriticalSeconds: 300 },
    clock: Date.now,
  })
  await poller.poll()
  const seen: Snapshot[] = []
  poller.subscribe((s) => seen.push(s))
  states.set('simulator', 'PAUSED')
  states.set('gateway', 'PAUSED')
  await poller.refresh(['simulator', 'no-such-component'])
  const stateOf = (name: string) => poller.readings().get(name)?.status?.state
  assert.equal(stateOf('simulator'), 'PAUSED')
  assert.equal(stateOf('gateway'), 'RUNNING', 'only the named components are read again')
  assert.equal(poller.points().length, 1)
  assert.equal(seen.length, 1, 'listeners (the panels) hear of it')
  assert.equal(seen[0]?.components.find((c) => c.name === 'simulator')?.status?.state, 'PAUSED')
})
