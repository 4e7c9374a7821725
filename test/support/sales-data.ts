/**
 * sales_raw rows written directly, past the lander: one sale line at a time, or in bulk by SQL
 * (generate_series) for query-plan tests and the query benchmark.
 */
import type { SaleLine } from '../../src/domain/sale-line.ts'
import type { Queryable } from '../../src/platform/sql.ts'

/** Inserts one sale line as a sales_raw row, for tests about what reads the table rather than about landing. */
export async function insertSaleLine(db: Queryable, e: SaleLine): Promise<void> {
  await db.query(
    `INSERT INTO sales_raw (event_id, event_type, event_time, store_id, register_id, receipt_id, line_no, sku, category,
       quantity, unit_price_minor, discount_minor, tax_minor, net_amount_minor, currency, payment_method, customer_ref)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
    [
      e.event_id,
      e.event_type,
      e.event_time,
      e.store_id,
      e.register_id,
      e.receipt_id,
      e.line_no,
      e.sku,
      e.category,
      e.quantity,
      e.unit_price_minor,
      e.discount_minor,
      e.tax_minor,
      e.net_amount_minor,
      e.currency,
      e.payment_method,
      e.customer_ref ?? null,
    ],
  )
}

/**
 * Bulk sales_raw rows made by SQL (generate_series), for query-plan tests and the query
 * benchmark: `rows` rows spread evenly over the `days` days before now, 50 stores, 2,000 SKUs,
 * three lines per receipt (receipt k belongs to store k mod 50). The partitions must exist.
 */
export async function fillSalesRaw(db: Queryable, rows: number, days: number): Promise<void> {
  const chunk = 200_000
  for (let start = 0; start < rows; start += chunk) {
    await db.query(
      `INSERT INTO sales_raw (event_id, event_type, event_time, store_id, register_id, receipt_id, line_no, sku,
         category, quantity, unit_price_minor, discount_minor, tax_minor, net_amount_minor, currency, payment_method)
       SELECT gen_random_uuid(), 'SALE',
              now() - $3::int * interval '1 day' + (g::float8 / $2::int) * ($3::int * interval '1 day'),
              'S' || lpad(((g / 3) % 50)::text, 3, '0'), 'R' || (g % 4), 'RC-' || (g / 3), (g % 3) + 1,
              'SKU-' || lpad(((g::bigint * 7919) % 2000)::text, 5, '0'), 'grocery', 1, 199, 0, 40, 239, 'EUR', 'CARD'
         FROM generate_series($1::int, least($1::int + ${chunk} - 1, $2::int - 1)) AS g`,
      [start, rows, days],
    )
  }
  await db.query('ANALYZE sales_raw')
}
