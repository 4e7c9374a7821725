/**
 * Loads the chain's reference data (src/domain/reference-data.ts) into `stores` and `products`:
 * idempotent (rows that already match are not touched), in one statement per table. Rows the
 * chain does not define (added by hand) are left alone.
 */
import { referenceProducts, referenceStores } from '../domain/reference-data.ts'
import type { Queryable } from '../platform/sql.ts'

export interface ReferenceLoad {
  readonly stores: { readonly total: number; readonly written: number }
  readonly products: { readonly total: number; readonly written: number }
}

/** The connection must act as sretl_owner (it owns the tables). */
export async function loadReferenceData(db: Queryable): Promise<ReferenceLoad> {
  const stores = referenceStores()
  const products = referenceProducts()
  const storeRows = await db.query(
    `INSERT INTO stores (store_id, name, country, time_zone, currency, size_sqm)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
     ON CONFLICT (store_id) DO UPDATE SET
       name = EXCLUDED.name, country = EXCLUDED.country, time_zone = EXCLUDED.time_zone,
       currency = EXCLUDED.currency, size_sqm = EXCLUDED.size_sqm
     WHERE (stores.name, stores.country, stores.time_zone, stores.currency, stores.size_sqm)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.country, EXCLUDED.time_zone, EXCLUDED.currency, EXCLUDED.size_sqm)`,
    [
      stores.map((s) => s.store_id),
      stores.map((s) => s.name),
      stores.map((s) => s.country),
      stores.map((s) => s.time_zone),
      stores.map((s) => s.currency),
      stores.map((s) => s.size_sqm),
    ],
  )
  const productRows = await db.query(
    `INSERT INTO products (sku, name, category, list_price_minor, price_currency)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
     ON CONFLICT (sku) DO UPDATE SET
       name = EXCLUDED.name, category = EXCLUDED.category,
       list_price_minor = EXCLUDED.list_price_minor, price_currency = EXCLUDED.price_currency
     WHERE (products.name, products.category, products.list_price_minor, products.price_currency)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.list_price_minor, EXCLUDED.price_currency)`,
    [
      products.map((p) => p.sku),
      products.map((p) => p.name),
      products.map((p) => p.category),
      products.map((p) => p.list_price_minor),
      products.map((p) => p.price_currency),
    ],
  )
  return {
    stores: { total: stores.length, written: storeRows.rowCount ?? 0 },
    products: { total: products.length, written: productRows.rowCount ?? 0 },
  }
}
