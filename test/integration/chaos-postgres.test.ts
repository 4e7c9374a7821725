import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ambiguousCommit, readOnlyPostgres, slowPostgres } from '../../chaos/scenarios/postgres-faults.ts'
import { runChaos } from '../support/chaos.ts'

test('C5: a landing COMMIT whose reply is lost after the server committed should be retried without losing or doubling a row', async () => {
  const result = await runChaos(ambiguousCommit)
  assert.equal(result.faults, 3)
  const note = result.notes.find((n) => n.includes('COMMIT replies dropped')) ?? ''
  assert.match(note, /^3 landing COMMIT replies dropped/)
  const retries = Number(/retried (\d+) times/.exec(note)?.[1] ?? 0)
  assert.ok(retries > 0, `the lander saw the failures and retried: ${note}`)
})

test('C6: a slow PostgreSQL should let the lag grow within the lander’s buffer limit and lose nothing', async () => {
  const result = await runChaos(slowPostgres)
  assert.ok(result.notes.some((n) => /buffered at most \d+ of \d+/.test(n)))
})

test('C11: a read-only database should hold the landing back with the error on /status, and lose nothing once writable again', async () => {
  const result = await runChaos(readOnlyPostgres)
  const note = result.notes.find((n) => n.startsWith('read-only')) ?? ''
  assert.match(note, /LANDER_RETRYING/, `an operator sees the lander retrying: ${note}`)
})
