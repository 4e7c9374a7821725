/**
 * The key read queries on sales_raw that panels and analysts run, each with the index that
 * serves it (migration 0006). docs/queries.md shows their plans; a test checks the plans use
 * these indexes, so a schema change that breaks one is caught.
 */

export interface SalesQuery {
  readonly title: string
  readonly sql: string
  /** The index on sales_raw (the partitioned parent's name) the plan must use. */
  readonly index: string
}

const LINE_COLUMNS = `event_id, event_type, event_time, store_id, register_id, receipt_id, line_no, sku, category,
       quantity, unit_price_minor, discount_minor, tax_minor, net_amount_minor, currency, payment_method`

export const salesQueries = {
  /** $1 store_id, $2 from (inclusive), $3 to (exclusive) */
  storeSalesInRange: {
    title: 'Sales of a store in a time range',
    sql: `SELECT ${LINE_COLUMNS}
  FROM sales_raw
 WHERE store_id = $1 AND event_time >= $2 AND event_time < $3
 ORDER BY event_time`,
    index: 'sales_raw_store_time_idx',
  },
  /** $1 store_id, $2 receipt_id */
  receiptLines: {
    title: 'The lines of a receipt',
    sql: `SELECT ${LINE_COLUMNS}
  FROM sales_raw
 WHERE store_id = $1 AND receipt_id = $2
 ORDER BY line_no`,
    index: 'sales_raw_receipt_idx',
  },
  /** $1 sku, $2 from (inclusive), $3 to (exclusive) */
  skuSalesInRange: {
    title: 'Sales of an SKU in a time range',
    sql: `SELECT ${LINE_COLUMNS}
  FROM sales_raw
 WHERE sku = $1 AND event_time >= $2 AND event_time < $3
 ORDER BY event_time`,
    index: 'sales_raw_sku_time_idx',
  },
  /** $1 how many */
  latestEvents: {
    title: 'The latest events',
    sql: `SELECT ${LINE_COLUMNS}
  FROM sales_raw
 ORDER BY event_time DESC
 LIMIT $1`,
    index: 'sales_raw_time_idx',
  },
} as const satisfies Record<string, SalesQuery>

export type SalesQueryName = keyof typeof salesQueries
