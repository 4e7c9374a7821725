import assert from 'node:assert/strict'
import { test } from 'node:test'
import { prometheusHint } from '../../../src/cli/commands/status.ts'

const service = (name: string) => ({ name, state: 'running', address: '127.0.0.1:1', restarts: 0 })

test('status should say why Prometheus is silent: no stack, a stack without monitoring, or a started one', () => {
  assert.match(
    prometheusHint({ running: false, services: [] }),
    /No local stack runs: `sretl up` starts Prometheus/,
  )
  assert.match(
    prometheusHint({ running: true, services: [service('kafka'), service('postgres')] }),
    /no monitoring: it was started with --no-monitoring, or Prometheus is not installed/,
  )
  assert.match(
    prometheusHint({ running: true, services: [service('kafka'), service('prometheus')] }),
    /The stack started Prometheus/,
  )
})
