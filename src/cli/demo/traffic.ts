/**
 * The demo's own sale lines, sent through the gateway like a till: every receipt id starts with
 * the run's prefix, so a count over sales_raw sees exactly what this tour sent.
 */
import { randomBytes } from 'node:crypto'
import { uuidv7 } from '../../domain/ids.ts'
import { referenceProducts, referenceStores, type Store } from '../../domain/reference-data.ts'
import type { SaleLine } from '../../domain/sale-line.ts'
import type { DemoContext } from './context.ts'

export function demoStore(index: number): Store {
  const stores = referenceStores()
  const store = stores[index % stores.length]
  if (!store) throw new Error('no reference stores')
  return store
}

/** A valid SALE line of `store`, one unit, on a receipt of its own. */
export function demoLine(store: Store, receiptId: string, eventTimeMs: number, i: number): SaleLine {
  const products = referenceProducts()
  const product = products[i % products.length] ?? products[0]
  if (!product) throw new Error('no reference products')
  const unit = 100 + (i % 50) * 7
  const tax = Math.round((unit * store.tax_rate_bp) / 10_000)
  return {
    event_id: uuidv7(eventTimeMs, randomBytes(10)),
    event_type: 'SALE',
    event_time: new Date(eventTimeMs).toISOString(),
    store_id: store.store_id,
    register_id: 'R01',
    receipt_id: receiptId,
    line_no: 1,
    sku: product.sku,
    category: product.category,
    quantity: 1,
    unit_price_minor: unit,
    discount_minor: 0,
    tax_minor: tax,
    net_amount_minor: unit + tax,
    currency: store.currency,
    payment_method: 'CARD',
  }
}

export interface GatewayAnswer {
  readonly status: number
  readonly retryAfter: string | null
  readonly body: Record<string, unknown>
}

/** POST /v1/sales as a till does (one batch). */
export async function sendToGateway(ctx: DemoContext, events: readonly unknown[]): Promise<GatewayAnswer> {
  const response = await fetch(`${ctx.gatewayUrl}/v1/sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ctx.gatewayKey },
    body: JSON.stringify(events),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await response.text()
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    body = { message: text.slice(0, 200) }
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body }
}

/** Rows landed for receipts starting with `prefix`: all of them, and distinct event ids. */
export async function countLanded(
  ctx: DemoContext,
  prefix: string,
): Promise<{ rows: number; distinct: number }> {
  const result = await ctx.reader.query<{ rows: string; distinct: string }>(
    'SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct FROM sales_raw WHERE receipt_id LIKE $1',
    [`${prefix}%`],
  )
  const row = result.rows[0]
  return { rows: Number(row?.rows ?? 0), distinct: Number(row?.distinct ?? 0) }
}
