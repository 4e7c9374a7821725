import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newApiKey } from '../../src/gateway/api-keys.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { assertAggregatesMatchOracle, seedReference } from '../support/aggregates.ts'
import { postJson, startComponent } from '../support/components.ts'
import { makeSaleLine } from '../support/events.ts'
import { assertTablesEqualExpected, referenceZones } from '../support/expected-sums.ts'
import { pipelineEnv } from '../support/harness.ts'
import { landedIds, metricValue, startChildLander, waitCaughtUp } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })
const till = newApiKey('till-landing')

// the whole path a till's request takes: gateway → Kafka → lander → sales_raw and the aggregates
test('every event_id the gateway answered 202 for should land in sales_raw exactly once, and nothing it refused', async () => {
  const { env, kafka, pool } = await pipelineEnv(db, {
    GATEWAY_API_KEYS: till.line,
    GATEWAY_MAX_BATCH_EVENTS: '50',
    GATEWAY_KEY_BURST: '200',
  })
  const lander = await startChildLander(env)
  const gateway = await startComponent('gateway', env)
  try {
    const sent = new Map<string, SaleLine>()
    const fresh = (i: number): SaleLine => {
      const store = ['S0001', 'S0002', 'S0003', 'S0008'][i % 4] ?? 'S0001'
      const event = makeSaleLine({
        store_id: store,
        currency: store === 'S0008' ? 'INR' : 'EUR',
        sku: `SKU-0000${(i % 7) + 1}`,
        line_no: (i % 3) + 1,
      })
      sent.set(event.event_id, event)
      return event
    }
    const refused: string[] = []
    const invalid = (): SaleLine => {
      const event = { ...makeSaleLine({ store_id: 'S0001' }), net_amount_minor: -1 }
      refused.push(event.event_id)
      return event
    }
    let n = 0
    const singles = Array.from({ length: 30 }, () => fresh(n++))
    const batches = Array.from({ length: 10 }, () => [
      invalid(),
      ...Array.from({ length: 18 }, () => fresh(n++)),
      invalid(),
    ])
    const ndjson = Array.from({ length: 4 }, () =>
      [...Array.from({ length: 12 }, () => JSON.stringify(fresh(n++))), '{"broken":'].join('\n'),
    )
    const post = (body: unknown, contentType = 'application/json') =>
      postJson(`${gateway.url}/v1/sales`, body, {
        authorization: `Bearer ${till.key}`,
        'content-type': contentType,
      })
    const responses = await Promise.all([
      ...singles.map((e) => post(e)),
      ...batches.map((b) => post(b)),
      ...ndjson.map((body) => post(body, 'application/x-ndjson')),
      // retries of answered and unanswered requests: duplicates, landed once
      ...batches.slice(0, 3).map((b) => post(b)),
      ...singles.slice(0, 5).map((e) => post(e)),
    ])
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([202]))
    const accepted = new Set(responses.flatMap((r) => r.body.acceptedIds as string[]))
    assert.equal(accepted.size, 30 + 10 * 18 + 4 * 12, 'every valid event accepted')

    await waitCaughtUp(kafka, pool, env.LANDER_GROUP_ID ?? '')
    const landed = await landedIds(pool)
    assert.equal(landed.length, accepted.size, 'one row per 202’d event, retries included')
    assert.deepEqual(new Set(landed), accepted, 'exactly the 202’d event_ids')
    assert.ok(
      refused.every((id) => !accepted.has(id)),
      'a refused event is never answered as accepted',
    )
    assert.equal(metricValue(await lander.metrics(), 'sretl_lander_dlq_total'), 0)

    // and the aggregates over them: the oracle, and the sums of what was accepted
    await assertAggregatesMatchOracle(pool)
    const acceptedEvents = [...accepted].map((id) => sent.get(id)).filter((e) => e !== undefined)
    assert.equal(acceptedEvents.length, accepted.size)
    await assertTablesEqualExpected(pool, acceptedEvents, referenceZones())
  } finally {
    await gateway.stop()
    assert.equal(await lander.stop(), 0)
  }
})
