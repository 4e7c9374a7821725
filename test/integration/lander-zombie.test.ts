import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, test } from 'node:test'
import { topicNames } from '../../src/platform/topics.ts'
import { spreadLine } from '../support/events.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import {
  assertLandedOnce,
  endOffsets,
  killChildLanders,
  metricValue,
  produce,
  saleEvent,
  startChildLander,
  storedOffsets,
  waitCaughtUp,
  type OutgoingEvent,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()
after(() => killChildLanders())

const wave = (n: number, from: number): OutgoingEvent[] =>
  Array.from({ length: n }, (_, i) => saleEvent(spreadLine(from + i, 31, 'RC-zombie')))
/** The process state letter of /proc/<pid>/stat: T when stopped. */
const processState = (pid: number): string =>
  readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .slice(0, 1)

test('a zombie lander (stopped mid-transaction past its session timeout, then continued) should neither double a row nor move a stored offset backwards', async () => {
  const group = 'zombie-lander'
  const common = {
    LANDER_GROUP_ID: group,
    LANDER_SESSION_TIMEOUT_MS: '6000',
    LANDER_BATCH_MAX_WAIT_MS: '50',
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
    AGGREGATES_ENABLED: 'false',
    // PostgreSQL ends the stalled transaction, so the new owner is not blocked by its locks
    LANDER_IDLE_IN_TRANSACTION_TIMEOUT_MS: '8000',
  }
  const { env, kafka, pool } = await pipelineEnv(db, common)
  const topic = topicNames(kafka).salesEvents

  // the zombie stops itself with its first batch copied and not committed (the test hook)
  const zombie = await startChildLander({
    ...env,
    SRETL_TEST_FAULT_AT: 'after-copy-before-commit',
    SRETL_TEST_FAULT: 'stop',
  })
  const zombiePid = zombie.cli.child.pid ?? -1
  const first = wave(400, 0)
  await produce(kafka, first)
  await waitFor(() => processState(zombiePid) === 'T', {
    timeoutMs: 60_000,
    message: 'the zombie did not stop itself in its landing transaction',
  })

  // a second lander takes over once the zombie's session timed out, and lands more
  const successor = await startChildLander(env)
  const second = wave(400, 400)
  await produce(kafka, second)
  await waitCaughtUp(kafka, pool, group)
  await assertLandedOnce(pool, [...first, ...second])
  const beforeWake = await storedOffsets(pool, group, topic)
  assert.equal(processState(zombiePid), 'T', 'the zombie stayed stopped while the successor landed')

  // wake the zombie; watch the stored offsets while it finishes its stale batch and rejoins
  const seen: Map<number, bigint>[] = []
  let watching = true
  const watcher = (async () => {
    while (watching) {
      seen.push(await storedOffsets(pool, group, topic))
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  process.kill(zombiePid, 'SIGCONT')
  const third = wave(400, 800)
  await produce(kafka, third)
  // the zombie is back in the group and has gone through its stale batch (counted as duplicates)
  const zombieTotals = await waitFor(
    async () => {
      const metrics = await zombie.metrics()
      return metricValue(metrics, 'sretl_lander_duplicates_total') > 0 ? metrics : undefined
    },
    { timeoutMs: 90_000, message: 'the zombie never retried its stale batch as duplicates' },
  )
  await waitCaughtUp(kafka, pool, group)
  watching = false
  await watcher

  await assertLandedOnce(pool, [...first, ...second, ...third])
  const ledger = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_ids')
  assert.equal(ledger.rows[0]?.n, first.length + second.length + third.length)
  assert.ok(metricValue(zombieTotals, 'sretl_lander_duplicates_total') > 0)

  // offsets only ever moved forward, from before the wake-up to the end
  let previous = beforeWake
  for (const sample of seen) {
    for (const [partition, offset] of previous) {
      const now = sample.get(partition)
      assert.ok(now !== undefined && now >= offset, `partition ${partition} went from ${offset} to ${now}`)
    }
    previous = sample
  }
  const ends = await endOffsets(kafka, topic)
  for (const [partition, offset] of ends) {
    assert.equal(previous.get(partition), offset, `partition ${partition} stored at its end`)
  }

  assert.equal(await successor.stop(), 0)
  assert.equal(await zombie.stop(), 0)
})
