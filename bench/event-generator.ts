/**
 * A small deterministic generator of realistic sale lines for the benchmarks, until the store
 * simulator (another issue) provides its own: 50 stores in six countries (own currency, VAT rate
 * and size), 2,000 SKUs in ten categories with Zipf-like popularity and category price ranges,
 * receipts of 1–12 lines sharing a till, time and payment, promotions with discounts, loyalty
 * customers (HMAC references), returns that name an earlier receipt, voids. Every event passes the
 * sale_line v1 validator. Same seed, same events.
 */
import { customerRef, uuidv7 } from '../src/domain/ids.ts'
import type { PaymentMethod, SaleLine } from '../src/domain/sale-line.ts'

/** mulberry32: a tiny, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

interface Country {
  readonly code: string
  readonly currency: string
  readonly vat: number
  /** Minor units per euro, roughly, for prices. */
  readonly priceFactor: number
}

const COUNTRIES: readonly Country[] = [
  { code: 'DE', currency: 'EUR', vat: 0.19, priceFactor: 1 },
  { code: 'FR', currency: 'EUR', vat: 0.2, priceFactor: 1 },
  { code: 'NL', currency: 'EUR', vat: 0.21, priceFactor: 1 },
  { code: 'GB', currency: 'GBP', vat: 0.2, priceFactor: 0.86 },
  { code: 'IN', currency: 'INR', vat: 0.18, priceFactor: 90 },
  { code: 'US', currency: 'USD', vat: 0.08, priceFactor: 1.08 },
]

const CATEGORIES = [
  { name: 'grocery', min: 49, max: 899 },
  { name: 'produce', min: 29, max: 599 },
  { name: 'dairy', min: 59, max: 699 },
  { name: 'bakery', min: 39, max: 499 },
  { name: 'beverages', min: 59, max: 1999 },
  { name: 'household', min: 99, max: 2999 },
  { name: 'personal-care', min: 99, max: 2499 },
  { name: 'electronics', min: 999, max: 99_999 },
  { name: 'apparel', min: 799, max: 14_999 },
  { name: 'toys', min: 299, max: 7999 },
] as const

const PAYMENTS: readonly [PaymentMethod, number][] = [
  ['CARD', 0.55],
  ['CASH', 0.2],
  ['MOBILE', 0.2],
  ['GIFT_CARD', 0.03],
  ['VOUCHER', 0.02],
]

interface Store {
  readonly id: string
  readonly country: Country
  readonly registers: number
  /** Relative traffic. */
  readonly weight: number
}

interface Product {
  readonly sku: string
  readonly category: string
  readonly priceEuroMinor: number
}

export interface GeneratorOptions {
  readonly seed?: number
  /** Event times are spread evenly over [from, to) (ms since the epoch). */
  readonly from: number
  readonly to: number
}

/** Yields `count` events in event-time order; receipts' lines are consecutive. */
export function* generateEvents(count: number, options: GeneratorOptions): Generator<SaleLine> {
  const random = prng(options.seed ?? 42)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const stores: Store[] = Array.from({ length: 50 }, (_, i) => ({
    id: `S${String(i + 1).padStart(3, '0')}`,
    country: COUNTRIES[i % COUNTRIES.length] as Country,
    registers: 2 + Math.floor(random() * 10),
    weight: 0.3 + random() * 1.7,
  }))
  const totalWeight = stores.reduce((s, x) => s + x.weight, 0)
  const products: Product[] = Array.from({ length: 2000 }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length] ?? CATEGORIES[0]
    // log-uniform within the category's range: many cheap items, a few expensive ones
    const price = Math.round(category.min * (category.max / category.min) ** random())
    return { sku: `SKU-${String(i + 1).padStart(5, '0')}`, category: category.name, priceEuroMinor: price }
  })
  // Zipf-like popularity: the k-th most popular SKU is bought ~1/k^0.9 as often
  const cumulative: number[] = []
  let acc = 0
  for (let k = 1; k <= products.length; k += 1) cumulative.push((acc += 1 / k ** 0.9))
  const popularProduct = (): Product => {
    const x = random() * acc
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1
      else hi = mid
    }
    return products[lo] as Product
  }
  const pickStore = (): Store => {
    let x = random() * totalWeight
    for (const s of stores) if ((x -= s.weight) <= 0) return s
    return stores[stores.length - 1] as Store
  }
  const payment = (): PaymentMethod => {
    let x = random()
    for (const [method, share] of PAYMENTS) if ((x -= share) <= 0) return method
    return 'CARD'
  }
  const recentReceipts: string[] = []
  const bytes = new Uint8Array(10)
  const span = options.to - options.from
  let produced = 0
  let receiptNo = 0
  while (produced < count) {
    const store = pickStore()
    const lines = Math.min(count - produced, 1 + (Math.floor(-Math.log(1 - random()) * 2.5) % 12))
    const kind = random()
    const eventType: SaleLine['event_type'] = kind < 0.96 ? 'SALE' : kind < 0.985 ? 'RETURN' : 'VOID'
    receiptNo += 1
    const receiptId = `${store.id}-R${receiptNo}`
    const registerId = `R${1 + Math.floor(random() * store.registers)}`
    const time = Math.floor(options.from + (span * produced) / count)
    const method = payment()
    const customer =
      random() < 0.35 ? customerRef(`L${Math.floor(random() * 200_000)}`, 'bench-chain-key') : null
    const original =
      eventType === 'RETURN' ? (recentReceipts.length > 0 ? pick(recentReceipts) : `${store.id}-R0`) : null
    for (let line = 1; line <= lines; line += 1) {
      const product = popularProduct()
      const unit = Math.max(1, Math.round(product.priceEuroMinor * store.country.priceFactor))
      const units = random() < 0.8 ? 1 : 2 + Math.floor(random() * 4)
      const quantity = eventType === 'SALE' ? units : -units
      const gross = quantity * unit
      const promo = random() < 0.12
      const discount = promo ? Math.round(gross * (0.05 + random() * 0.25)) : 0
      const tax = Math.round((gross - discount) * store.country.vat)
      for (let b = 0; b < bytes.length; b += 1) bytes[b] = Math.floor(random() * 256)
      const eventTime = new Date(time + line).toISOString()
      yield {
        event_id: uuidv7(time + line, bytes),
        event_type: eventType,
        event_time: eventTime,
        store_id: store.id,
        register_id: registerId,
        receipt_id: receiptId,
        line_no: line,
        sku: product.sku,
        category: product.category,
        quantity,
        unit_price_minor: unit,
        discount_minor: discount,
        tax_minor: tax,
        net_amount_minor: gross - discount + tax,
        currency: store.country.currency,
        payment_method: method,
        promo_id: promo ? `PROMO-${1 + Math.floor(random() * 40)}` : null,
        customer_ref: customer,
        original_receipt_id: original,
      }
      produced += 1
    }
    if (eventType === 'SALE') {
      recentReceipts.push(receiptId)
      if (recentReceipts.length > 1000) recentReceipts.shift()
    }
  }
}
