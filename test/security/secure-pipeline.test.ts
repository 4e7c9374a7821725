/**
 * The pipeline end to end in secure mode, through the real `sretl run` processes: the simulator
 * and the gateway produce as their own principals over SASL_SSL, the lander consumes with its
 * group and lands rows in sales_raw, each event once.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startComponent, postJson, type RunningComponent } from '../support/components.ts'
import { createTestDatabase, testEnv, waitFor, type TestDatabase } from '../support/harness.ts'
import { startSecureBroker, type SecureBroker } from '../support/secure-broker.ts'
import { makeSaleLine } from '../support/events.ts'

let kafka: SecureBroker
let db: TestDatabase
const running: RunningComponent[] = []

before(async () => {
  kafka = await startSecureBroker({ topicPrefix: 'secpipe.', landerGroup: 'sretl-lander-secure' })
  db = await createTestDatabase()
})
after(async () => {
  for (const c of running.reverse()) await c.stop()
  await db?.drop()
  await kafka?.stop()
})

function envFor(user: 'simulator' | 'gateway' | 'lander'): Record<string, string> {
  return testEnv({ databaseUrl: db.url, topicPrefix: kafka.topicPrefix, extra: kafka.env(user) })
}

async function rows(): Promise<{ total: number; distinct: number }> {
  const { rows: r } = await db
    .pool()
    .query<{ total: string; distinct: string }>(
      'SELECT count(*) AS total, count(DISTINCT event_id) AS distinct FROM sales_raw',
    )
  return { total: Number(r[0]?.total ?? 0), distinct: Number(r[0]?.distinct ?? 0) }
}

test('the simulator and the gateway should reach sales_raw through the lander over SASL_SSL, each as its own principal', async () => {
  const lander = await startComponent('lander', envFor('lander'))
  running.push(lander)
  const simulator = await startComponent('simulator', {
    ...envFor('simulator'),
    RATE_PER_SEC: '200',
    SIMULATOR_BUDGET_EVENTS: '500',
  })
  running.push(simulator)
  const gateway = await startComponent('gateway', { ...envFor('gateway'), GATEWAY_ALLOW_DEV_KEY: 'true' })
  running.push(gateway)
  const events = Array.from({ length: 20 }, (_, i) => makeSaleLine({ receipt_id: `secpipe-${i}` }))
  await waitFor(async () => (await fetch(`${gateway.url}/readyz`)).ok, {
    timeoutMs: 60_000,
    message: 'gateway not ready over SASL_SSL',
  })
  const answer = await postJson(`${gateway.url}/v1/sales`, events, { authorization: 'Bearer sretl-dev-key' })
  assert.ok(answer.status >= 200 && answer.status < 300, `gateway answered ${answer.status}`)
  const landed = await waitFor(
    async () => {
      const r = await rows()
      return r.total >= 520 ? r : undefined
    },
    { timeoutMs: 180_000, message: 'rows did not land in sales_raw' },
  )
  assert.equal(landed.total, 520, 'the simulator’s 500 events and the gateway’s 20, once each')
  assert.equal(landed.distinct, 520)
})
