import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  controlTargetNames,
  controlTargets,
  controlTargetsSection,
} from '../../src/platform/control-targets.ts'
import { loadConfig } from '../../src/platform/config.ts'

test('every component should be found by its URL variable, else by its port', () => {
  assert.deepEqual(controlTargetNames, ['simulator', 'gateway', 'lander'])
  assert.deepEqual(
    Object.entries(controlTargets)
      .filter(([, t]) => t.intake)
      .map(([n]) => n),
    ['simulator', 'gateway'],
  )
  assert.deepEqual(loadConfig({}, controlTargetsSection), {
    control: 'http://127.0.0.1:8080',
    gateway: 'http://127.0.0.1:8081',
    simulator: 'http://127.0.0.1:8082',
    lander: 'http://127.0.0.1:8083',
  })
  assert.deepEqual(
    loadConfig(
      { SIMULATOR_PORT: '9182', GATEWAY_URL: 'https://gw.example:443/', LANDER_URL: 'http://lander:8083' },
      controlTargetsSection,
    ),
    {
      control: 'http://127.0.0.1:8080',
      gateway: 'https://gw.example',
      simulator: 'http://127.0.0.1:9182',
      lander: 'http://lander:8083',
    },
  )
  assert.throws(() => loadConfig({ GATEWAY_PORT: 'x' }, controlTargetsSection), /GATEWAY_PORT/)
})
