/** Valid sale_line v1 events for tests: sensible defaults, any field overridable. */
import { randomBytes } from 'node:crypto'
import { uuidv7 } from '../../src/domain/ids.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'

let counter = 0

export function makeSaleLine(overrides: Partial<SaleLine> = {}): SaleLine {
  counter += 1
  const quantity = overrides.quantity ?? 2
  const unit = overrides.unit_price_minor ?? 199
  const discount = overrides.discount_minor ?? 0
  const tax = overrides.tax_minor ?? Math.round(quantity * unit * 0.2)
  const time = overrides.event_time ?? new Date().toISOString()
  return {
    event_id: uuidv7(Date.parse(time), randomBytes(10)),
    event_type: 'SALE',
    event_time: time,
    store_id: 'S001',
    register_id: 'R1',
    receipt_id: `RC-${counter}`,
    line_no: 1,
    sku: 'SKU-00001',
    category: 'grocery',
    quantity,
    unit_price_minor: unit,
    discount_minor: discount,
    tax_minor: tax,
    net_amount_minor: quantity * unit - discount + tax,
    currency: 'EUR',
    payment_method: 'CARD',
    ...overrides,
  }
}

/**
 * The i-th line of a stream spread over `stores` stores (S000, S001, …), each on a receipt of
 * its own, `${receiptPrefix}-${i}`.
 */
export function spreadLine(i: number, stores: number, receiptPrefix: string): SaleLine {
  return makeSaleLine({
    store_id: `S${String(i % stores).padStart(3, '0')}`,
    receipt_id: `${receiptPrefix}-${i}`,
  })
}

export function encodeEvent(event: unknown): Buffer {
  return Buffer.from(JSON.stringify(event))
}
