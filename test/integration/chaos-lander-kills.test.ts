import assert from 'node:assert/strict'
import { test } from 'node:test'
import { landerKills } from '../../chaos/scenarios/lander-kills.ts'
import { runChaos } from '../support/chaos.ts'

test('C1: a lander killed -9 three times at each point where exactly-once is decided should lose and double nothing under steady load', async () => {
  const result = await runChaos(landerKills)
  assert.equal(result.faults, 9, 'nine kills, each followed by landing again')
  assert.equal(result.expectedDeadLetters, 45, 'poison went with every kill')
})
