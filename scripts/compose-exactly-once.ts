// The exactly-once check scripts/compose-ci.sh runs from the host against a running deployment:
// sends N valid sale lines through the gateway (and re-sends a slice of them, which must count as
// duplicates), then waits until exactly those N event ids are in sales_raw, each once.
// Usage: GATEWAY_URL=… GATEWAY_KEY_FILE=… DATABASE_URL=… node scripts/compose-exactly-once.ts [events]
// Exit 0 when every event landed exactly once; 1 with the counts otherwise.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { uuidv7 } from '../src/domain/ids.ts'

const events = Number(process.argv[2] ?? 2000)
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8081'
const key = readFileSync(process.env.GATEWAY_KEY_FILE ?? '', 'utf8').trim()
const databaseUrl = process.env.DATABASE_URL ?? ''
const batchSize = 500
const timeoutMs = Number(process.env.LANDING_TIMEOUT_MS ?? 120_000)

const run = randomBytes(4).toString('hex')
const lines = Array.from({ length: events }, (_, i) => {
  const now = Date.now()
  const quantity = 1 + (i % 3)
  const unit = 250 + (i % 7) * 10
  const tax = Math.round(quantity * unit * 0.2)
  return {
    event_id: uuidv7(now, randomBytes(10)),
    event_type: 'SALE',
    event_time: new Date(now).toISOString(),
    store_id: `S${String(i % 20).padStart(3, '0')}`,
    register_id: 'R1',
    receipt_id: `CI-${run}-${i}`,
    line_no: 1,
    sku: `SKU-${String(1 + (i % 50)).padStart(5, '0')}`,
    category: 'grocery',
    quantity,
    unit_price_minor: unit,
    discount_minor: 0,
    tax_minor: tax,
    net_amount_minor: quantity * unit + tax,
    currency: 'EUR',
    payment_method: 'CARD',
  }
})

async function post(batch: readonly unknown[]): Promise<{ accepted: number; duplicates: number }> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${gateway}/v1/sales`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(batch),
    })
    const body = (await response.json()) as Record<string, unknown>
    if (response.status === 202) {
      return { accepted: Number(body.accepted ?? 0), duplicates: Number(body.duplicates ?? 0) }
    }
    // overload is answered with Retry-After: honour it a few times, then fail
    if ((response.status === 429 || response.status === 503) && attempt < 5) {
      await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get('retry-after') ?? 1)))
      continue
    }
    throw new Error(`gateway answered ${response.status}: ${JSON.stringify(body)}`)
  }
}

for (let i = 0; i < lines.length; i += batchSize) await post(lines.slice(i, i + batchSize))
// the same events again, as a till would after a lost answer: they must land once
await post(lines.slice(0, Math.min(200, lines.length)))

const ids = lines.map((l) => l.event_id)
const client = new pg.Client({ connectionString: databaseUrl })
await client.connect()
const started = Date.now()
let rows: number
let distinct: number
try {
  for (;;) {
    const result = await client.query<{ rows: string; distinct: string }>(
      'SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct FROM sales_raw WHERE event_id = ANY($1::uuid[])',
      [ids],
    )
    rows = Number(result.rows[0]?.rows ?? 0)
    distinct = Number(result.rows[0]?.distinct ?? 0)
    if (rows >= events || Date.now() - started > timeoutMs) break
    await new Promise((r) => setTimeout(r, 500))
  }
  // a little longer: a late duplicate would show up now
  await new Promise((r) => setTimeout(r, 2000))
  const again = await client.query<{ rows: string }>(
    'SELECT count(*) AS rows FROM sales_raw WHERE event_id = ANY($1::uuid[])',
    [ids],
  )
  rows = Number(again.rows[0]?.rows ?? 0)
} finally {
  await client.end()
}
const ok = rows === events && distinct === events
process.stdout.write(
  `${ok ? 'exactly once' : 'NOT exactly once'}: sent ${events} events (+200 re-sent), ${rows} rows, ${distinct} distinct ids in sales_raw after ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
)
process.exitCode = ok ? 0 : 1
