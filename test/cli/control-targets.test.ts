import assert from 'node:assert/strict'
import { test } from 'node:test'
import { controlTargetNames, controlTargetsSection } from '../../src/cli/control-targets.ts'
import { loadConfig } from '../../src/platform/config.ts'

test('operator commands should find each component by its URL variable, else by its port', () => {
  assert.deepEqual(controlTargetNames, ['simulator', 'gateway', 'lander'])
  assert.deepEqual(loadConfig({}, controlTargetsSection), {
    simulator: 'http://127.0.0.1:8082',
    gateway: 'http://127.0.0.1:8081',
    lander: 'http://127.0.0.1:8083',
  })
  assert.deepEqual(
    loadConfig({ SIMULATOR_PORT: '9182', GATEWAY_URL: 'https://gw.example:443/' }, controlTargetsSection),
    { simulator: 'http://127.0.0.1:9182', gateway: 'https://gw.example', lander: 'http://127.0.0.1:8083' },
  )
  assert.throws(() => loadConfig({ GATEWAY_PORT: 'x' }, controlTargetsSection), /GATEWAY_PORT/)
})
