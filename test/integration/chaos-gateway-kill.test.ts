import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gatewayKill } from '../../chaos/scenarios/gateway-kill.ts'
import { runChaos } from '../support/chaos.ts'

test('C2: a gateway killed -9 mid-request should land every event it answered 202, and retries of the unanswered should double nothing', async () => {
  const result = await runChaos(gatewayKill)
  assert.equal(result.faults, 3, 'three kills, each followed by a healthy gateway')
  assert.ok(result.viaGateway > 0, 'part of the load went through the gateway')
  assert.ok(
    result.notes.some((n) => n.includes('gateway refused then retried')),
    `requests went unanswered and were sent again: ${result.notes.join('; ')}`,
  )
})
