/** Runs a chaos scenario (chaos/) at CI size on a database of its own, and asserts its checks. */
import assert from 'node:assert/strict'
import { passed, runScenario, type Scenario, type ScenarioResult } from '../../chaos/runner.ts'
import { resultTable } from '../../chaos/table.ts'
import { createTestDatabase } from './harness.ts'
import { killChildLanders } from './lander.ts'

/** Small enough for CI, long enough that every fault meets steady load. */
export const CI_SIZE = { events: 1000, rate: 200, faultSeconds: 5 }

export async function runChaos(scenario: Scenario): Promise<ScenarioResult> {
  const db = await createTestDatabase()
  try {
    const result = await runScenario(scenario, db, CI_SIZE)
    const table = `${resultTable([result])}\n${result.notes.join('\n')}`
    const c = result.checks
    assert.equal(c.lost, 0, `no acknowledged event lost\n${table}`)
    assert.equal(c.doubled, 0, `no event landed twice\n${table}`)
    assert.equal(c.unexpected, 0, `nothing landed that was not sent\n${table}`)
    assert.equal(c.offsetsBehind, 0, `stored offsets at every partition's end\n${table}`)
    assert.equal(c.deadLetters, result.expectedDeadLetters, `the dead letters are the poison sent\n${table}`)
    assert.equal(c.verifyDifferences, 0, `verify finds no difference\n${table}`)
    assert.equal(c.verifyInFlight, 0, `verify finds nothing in flight after the cycle\n${table}`)
    assert.ok(passed(result))
    return result
  } finally {
    await killChildLanders()
    await db.drop()
  }
}
