/**
 * The panel's business views over the control API, against a real lander maintaining the
 * aggregates from a real Kafka topic into a real PostgreSQL: every figure is checked against
 * sums the test computes from the events it sent (a duplicate included, counted once).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import type { RunningComponent } from '../support/components.ts'
import { PanelSession, startControlWithUsers, withToken, type TestUsers } from '../support/control.ts'
import { makeSaleLine } from '../support/events.ts'
import { pipelineEnv, waitFor } from '../support/harness.ts'
import { produceSales, startChildLander, type ChildLander } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

interface StoreRow {
  store_id: string
  currency: string
  time_zone: string
}
interface BusinessBody {
  asOf: string
  watermark: string | null
  lastHour: {
    from: string
    totals: { currency: string; stores: number; lines: number; netMinor: number }[]
    stores: {
      storeId: string
      name: string | null
      currency: string
      lines: number
      units: number
      netMinor: number
      rolling: { windowEnd: string; netMinor: number } | null
    }[]
  }
  topSkusToday: {
    currency: string
    day: string
    skus: { rank: number; sku: string; name: string | null; netMinor: number }[]
  }[]
  store: {
    storeId: string
    currency: string
    rollingHistory: { windowEnd: string; netMinor: number }[]
    topSkusToday: { day: string; skus: { sku: string; units: number; netMinor: number }[] }
  } | null
}

const MINUTE = 60_000
let env: Record<string, string>
let lander: ChildLander
let control: RunningComponent
let users: TestUsers
let viewer: PanelSession
let at: Date
let storeA: StoreRow
let storeB: StoreRow
let skus: string[]
const sent: SaleLine[] = []

/** A time whose last 90 minutes are all in one UTC day, so "today" is unambiguous. */
function chooseAt(now: number): Date {
  const dayStart = Math.floor(now / 86_400_000) * 86_400_000
  const minute = Math.floor(now / MINUTE) * MINUTE
  return new Date(minute - dayStart >= 100 * MINUTE ? minute - 2 * MINUTE : dayStart - 2 * MINUTE)
}

const db = useTestDatabase({ setUp: landAndStartControl, teardown: () => control?.stop() })

async function landAndStartControl(): Promise<void> {
  const pipeline = await pipelineEnv(db, { AGG_IDLE_MS: '1000', AGG_CYCLE_INTERVAL_MS: '200' })
  env = pipeline.env
  const reader = pipeline.pool
  const stores = await reader.query<StoreRow>(
    `SELECT DISTINCT ON (currency) store_id, currency, time_zone FROM stores
     WHERE currency IN ('EUR', 'INR') ORDER BY currency, store_id`,
  )
  ;[storeA, storeB] = stores.rows as [StoreRow, StoreRow]
  assert.ok(storeA && storeB, 'the seeded stores include a EUR and an INR store')
  skus = (await reader.query<{ sku: string }>('SELECT sku FROM products ORDER BY sku LIMIT 12')).rows.map(
    (r) => r.sku,
  )

  at = chooseAt(Date.now())
  const atMinute = at.getTime()
  const line = (store: StoreRow, minutesBefore: number, sku: string, quantity: number, price: number) =>
    makeSaleLine({
      store_id: store.store_id,
      currency: store.currency,
      event_time: new Date(atMinute - minutesBefore * MINUTE).toISOString(),
      sku,
      quantity,
      unit_price_minor: price,
      tax_minor: 0,
    })
  // store A: 12 SKUs over the hour, SKU i worth (i + 1) × 100 per unit; one line 59.5 minutes
  // before (in the rolling hour, before the last hour's first minute window) and one 80 minutes
  // before (in neither)
  skus.forEach((sku, i) => sent.push(line(storeA, 2 + i * 4, sku, 1 + (i % 3), (i + 1) * 100)))
  sent.push(line(storeA, 59.5, skus[0] ?? '', 1, 5_000))
  sent.push(line(storeA, 80, skus[1] ?? '', 1, 7_000))
  sent.push(line(storeB, 10, skus[2] ?? '', 4, 25_000))
  const events = [...sent, sent[0] as SaleLine] // the first event twice: counted once
  await produceSales(pipeline.kafka, events)

  lander = await startChildLander(env)
  ;({ control, users } = await startControlWithUsers({ ...env, LANDER_URL: lander.url }))
  viewer = await PanelSession.signIn(control.url, users.viewer)
}

const netOf = (e: SaleLine) => e.quantity * e.unit_price_minor - e.discount_minor
const within = (e: SaleLine, from: number, to: number) => {
  const t = Date.parse(e.event_time)
  return t >= from && t < to
}
const sum = (events: SaleLine[]) => events.reduce((s, e) => s + netOf(e), 0)

async function business(query = ''): Promise<BusinessBody> {
  const answer = await viewer.get(`/api/v1/business?at=${at.toISOString()}${query}`)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return answer.body as unknown as BusinessBody
}

/** Waits until the publish cycles have rolled store A up to the boundary at `at`. */
async function settled(): Promise<BusinessBody> {
  return waitFor(
    async () => {
      const view = await business(`&store=${storeA.store_id}`)
      const a = view.lastHour.stores.find((s) => s.storeId === storeA.store_id)
      const top = view.topSkusToday.find((l) => l.currency === storeA.currency)
      return a?.rolling?.windowEnd === at.toISOString() && top?.skus.length === 10 ? view : undefined
    },
    { timeoutMs: 60_000, message: 'the aggregates reach the chosen minute' },
  )
}

test('business view should show the last hour by store exactly as the events sent, a duplicate counted once', async () => {
  const view = await settled()
  const from = at.getTime() - 59 * MINUTE
  assert.equal(view.lastHour.from, new Date(from).toISOString())
  for (const store of [storeA, storeB]) {
    const mine = sent.filter((e) => e.store_id === store.store_id && within(e, from, at.getTime() + MINUTE))
    const row = view.lastHour.stores.find((s) => s.storeId === store.store_id)
    assert.ok(row, `${store.store_id} is listed`)
    assert.equal(row.currency, store.currency)
    assert.equal(row.lines, mine.length)
    assert.equal(row.netMinor, sum(mine))
    assert.ok(row.name, 'the store name comes from the stores table')
    const total = view.lastHour.totals.find((t) => t.currency === store.currency)
    assert.deepEqual([total?.stores, total?.lines, total?.netMinor], [1, mine.length, sum(mine)])
  }
  assert.equal(view.lastHour.stores[0]?.storeId, storeA.store_id, 'the store with most receipts first')
})

test('business view should show each store’s newest rolling 1-hour value and its history', async () => {
  const view = await settled()
  const end = at.getTime()
  const a = view.lastHour.stores.find((s) => s.storeId === storeA.store_id)
  const inRolling = sent.filter((e) => e.store_id === storeA.store_id && within(e, end - 60 * MINUTE, end))
  assert.equal(a?.rolling?.netMinor, sum(inRolling))
  assert.ok(
    inRolling.some((e) => Date.parse(e.event_time) < end - 59 * MINUTE),
    'the rolling hour holds a line the minute view leaves out',
  )
  const history = view.store?.rollingHistory ?? []
  assert.equal(history.at(-1)?.windowEnd, at.toISOString())
  assert.equal(history.at(-1)?.netMinor, sum(inRolling))
  for (const point of history) {
    const e = Date.parse(point.windowEnd)
    const expected = sum(sent.filter((x) => x.store_id === storeA.store_id && within(x, e - 60 * MINUTE, e)))
    assert.equal(point.netMinor, expected, `rolling value at ${point.windowEnd}`)
  }
})

test('business view should rank today’s top 10 SKUs per currency and of one store, with names', async () => {
  const view = await settled()
  const dayStart = Math.floor(at.getTime() / 86_400_000) * 86_400_000
  const top = view.topSkusToday.find((l) => l.currency === storeA.currency)
  assert.equal(top?.day, new Date(dayStart).toISOString().slice(0, 10))
  assert.deepEqual(
    top?.skus.map((s) => [s.rank, s.sku, s.netMinor]),
    ranking(sent.filter((e) => e.currency === storeA.currency && within(e, dayStart, dayStart + 86_400_000))),
  )
  assert.ok(
    top?.skus.every((s) => s.name),
    'names from the products table',
  )
  const localDate = (t: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: storeA.time_zone }).format(t)
  assert.equal(view.store?.topSkusToday.day, localDate(at))
  assert.deepEqual(
    view.store?.topSkusToday.skus.map((s, i) => [i + 1, s.sku, s.netMinor]),
    ranking(
      sent.filter(
        (e) => e.store_id === storeA.store_id && localDate(new Date(e.event_time)) === localDate(at),
      ),
    ),
  )
})

/** [rank, sku, net] of the top 10: net revenue, then units, then SKU. */
function ranking(events: SaleLine[]): [number, string, number][] {
  const bySku = new Map<string, { net: number; units: number }>()
  for (const e of events) {
    const s = bySku.get(e.sku) ?? { net: 0, units: 0 }
    bySku.set(e.sku, { net: s.net + netOf(e), units: s.units + e.quantity })
  }
  return [...bySku]
    .sort(([a, x], [b, y]) => y.net - x.net || y.units - x.units || (a < b ? -1 : 1))
    .slice(0, 10)
    .map(([sku, s], i) => [i + 1, sku, s.net])
}

test('business view should refuse an unknown store, a malformed query and a caller without a session', async () => {
  const unknown = await viewer.get('/api/v1/business?store=NO-SUCH-STORE')
  assert.equal(unknown.status, 404)
  assert.equal(unknown.body.code, 'STORE_NOT_FOUND')
  const malformed = await viewer.get('/api/v1/business?store=%3Bdrop')
  assert.equal(malformed.status, 400)
  assert.equal(malformed.body.code, 'REQUEST_INVALID')
  assert.match(String(malformed.body.message), /store/)
  const badTime = await viewer.get('/api/v1/business?at=yesterday-ish')
  assert.equal(badTime.status, 400)
  assert.match(String(badTime.body.message), /\bat\b/)
  const anonymous = await fetch(`${control.url}/api/v1/business`)
  assert.equal(anonymous.status, 401)
  const token = await withToken(control.url, users.operator.token).get('/api/v1/business')
  assert.equal(token.status, 200)
})
