/**
 * PostgreSQL COPY text format for sale lines: one line per row, columns separated by a tab, NULL
 * as \N, and in text the four characters that would break the framing — backslash, tab, newline,
 * carriage return — written as backslash escapes. Everything else passes through as UTF-8, so a
 * value PostgreSQL cannot hold (a NUL character) is refused by the server for that row alone,
 * which the lander isolates (EVENT_DB_REJECTED).
 */
import type { SaleLine } from '../domain/sale-line.ts'

/** The columns of sales_raw the lander writes, in COPY order (ingested_at takes its default). */
export const COPY_COLUMNS = [
  'event_id',
  'event_type',
  'event_time',
  'store_id',
  'register_id',
  'receipt_id',
  'line_no',
  'sku',
  'category',
  'quantity',
  'unit_price_minor',
  'discount_minor',
  'tax_minor',
  'net_amount_minor',
  'currency',
  'payment_method',
  'promo_id',
  'customer_ref',
  'original_receipt_id',
] as const

const SPECIAL = /[\\\t\n\r]/
const SPECIAL_ALL = /[\\\t\n\r]/g
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/** One text value, escaped for COPY text format. */
export function copyText(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : value
}

function optional(value: string | null | undefined): string {
  return value === null || value === undefined ? '\\N' : copyText(value)
}

/**
 * A text field that UTF-8 cannot represent exactly (a lone surrogate, possible through a JSON
 * \ud800 escape) would be silently replaced when encoded; such an event is refused instead.
 * Returns the field's name, or undefined when every free-text field is well-formed.
 */
export function malformedTextField(event: SaleLine): string | undefined {
  for (const field of ['category', 'promo_id', 'original_receipt_id', 'store_id', 'sku'] as const) {
    const value = event[field]
    if (typeof value === 'string' && !value.isWellFormed()) return field
  }
  return undefined
}

/** One row of COPY text (with its trailing newline), columns as COPY_COLUMNS. */
export function copyLine(e: SaleLine): string {
  return (
    `${e.event_id}\t${copyText(e.event_type)}\t${copyText(e.event_time)}\t${copyText(e.store_id)}\t` +
    `${copyText(e.register_id)}\t${copyText(e.receipt_id)}\t${e.line_no}\t${copyText(e.sku)}\t` +
    `${copyText(e.category)}\t${e.quantity}\t${e.unit_price_minor}\t${e.discount_minor}\t${e.tax_minor}\t` +
    `${e.net_amount_minor}\t${copyText(e.currency)}\t${copyText(e.payment_method)}\t${optional(e.promo_id)}\t` +
    `${optional(e.customer_ref)}\t${optional(e.original_receipt_id)}\n`
  )
}
