import assert from 'node:assert/strict'
import { test } from 'node:test'
import { componentAddresses, lagOf, readComponent } from '../../src/cli/component-status.ts'
import { componentLaunch } from '../../src/stack/components.ts'
import { findFreePort } from '../../src/stack/ports.ts'

test('lag should be read from details.partitions whatever else the lander reports', () => {
  assert.deepEqual(
    lagOf({
      groupId: 'sretl-lander',
      partitions: [
        { topic: 'sales.events.v1', partition: 1, state: 'RUNNING', lagMessages: 0, lagSeconds: 0 },
        { partition: 0, lagMessages: 120, lagSeconds: 4.5, nextOffset: 10 },
        { partition: '2', lagMessages: '7' },
        { partition: 3, state: 'PAUSED' },
        { lagMessages: 5 },
        'junk',
        { partition: 4, lagSeconds: Number.NaN, lagMessages: null },
      ],
    }),
    [
      { partition: '0', lagMessages: 120, lagSeconds: 4.5 },
      { topic: 'sales.events.v1', partition: '1', lagMessages: 0, lagSeconds: 0, state: 'RUNNING' },
      { partition: '2', lagMessages: 7 },
    ],
  )
  assert.deepEqual(
    lagOf({
      group: 'sretl-lander',
      topic: 'sales.events.v1',
      partitions: [
        {
          partition: 0,
          state: 'RUNNING',
          lastError: null,
          storedOffset: 5,
          endOffset: 9,
          lagMessages: 4,
          lagSeconds: 0.8,
        },
        {
          partition: 1,
          state: 'PAUSED',
          lastError: null,
          storedOffset: null,
          endOffset: null,
          lagMessages: null,
          lagSeconds: null,
        },
      ],
    }),
    [{ partition: '0', topic: 'sales.events.v1', lagMessages: 4, lagSeconds: 0.8, state: 'RUNNING' }],
    'the lander’s own shape (issue 4)',
  )
  for (const details of [undefined, null, {}, { partitions: {} }, { partitions: 'x' }, []]) {
    assert.deepEqual(lagOf(details), [])
  }
})

test('components should come from the running stack’s state, else from the configuration', () => {
  const configured = [componentLaunch('lander', '127.0.0.1:8083')]
  const state = {
    upPid: 1,
    startedAt: '',
    home: '/h',
    services: [
      { name: 'kafka', kind: 'infrastructure' as const, owned: true, address: '127.0.0.1:9092' },
      { name: 'gateway', kind: 'component' as const, owned: true, address: 'http://127.0.0.1:18081' },
    ],
  }
  assert.deepEqual(componentAddresses(state, configured), [
    { name: 'gateway', address: 'http://127.0.0.1:18081' },
  ])
  assert.deepEqual(componentAddresses(undefined, configured), [{ name: 'lander', address: '127.0.0.1:8083' }])
})

test('a component that is not listening should be reported, not thrown', async () => {
  const port = await findFreePort()
  const report = await readComponent({ name: 'lander', address: `127.0.0.1:${port}` }, 1000)
  assert.equal(report.state, undefined)
  assert.match(report.error ?? '', /\/status did not answer \(ECONNREFUSED\)/)
  assert.match(
    (await readComponent({ name: 'x', address: 'kafka://nope' })).error ?? '',
    /cannot read address/,
  )
})
