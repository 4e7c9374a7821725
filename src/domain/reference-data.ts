/**
 * The chain's reference data: about 200 stores across ten markets (six currencies, DST zones in
 * Europe, America and Australia, and Asia/Kolkata's half-hour offset) with log-normal sizes, and
 * about 5,000 products in categories with list prices that mostly end in .99. It is generated
 * from a fixed seed, so the simulator, the database's `stores`/`products` tables and anyone
 * else who calls these functions agree on every row without reading each other.
 */
import { Random } from './random.ts'
import {
  BRANDS,
  CATEGORIES,
  CURRENCY_DIGITS,
  EUR_RATE,
  MARKETS,
  SIZES,
  STORE_KINDS,
} from './reference-tables.ts'

export interface Store {
  readonly store_id: string
  readonly name: string
  /** ISO 3166-1 alpha-2 */
  readonly country: string
  /** IANA time zone of the store's local clock. */
  readonly time_zone: string
  /** ISO 4217; every amount a store's till writes is in this currency. */
  readonly currency: string
  readonly size_sqm: number
  /** Tills in the store (register_id R01…). */
  readonly registers: number
  /** Local opening hours, [opens, closes) in hours; 0–24 for stores that never close. */
  readonly opens_hour: number
  readonly closes_hour: number
  /** Sales tax / VAT in basis points, applied on top of the (pre-tax) unit price. */
  readonly tax_rate_bp: number
}

export interface Product {
  readonly sku: string
  readonly name: string
  readonly category: string
  /** List price in euro cents (products.price_currency = EUR); stores price in their currency. */
  readonly list_price_minor: number
  readonly price_currency: 'EUR'
}

export const REFERENCE_SEED = 'sretl-reference-v1'
export const STORE_COUNT = 200
export const PRODUCT_COUNT = 5000

function weightedIndex(random: Random, shares: readonly number[]): number {
  const total = shares.reduce((a, b) => a + b, 0)
  let x = random.float() * total
  for (let i = 0; i < shares.length; i++) {
    x -= shares[i] ?? 0
    if (x < 0) return i
  }
  return shares.length - 1
}

let cachedStores: readonly Store[] | undefined
let cachedProducts: readonly Product[] | undefined

/** The chain's stores, S0001…S0200: every market gets at least one, the rest by share. */
export function referenceStores(): readonly Store[] {
  if (cachedStores) return cachedStores
  const random = new Random(REFERENCE_SEED).fork('stores')
  const perCity = new Map<string, number>()
  const stores: Store[] = []
  for (let i = 0; i < STORE_COUNT; i++) {
    const market =
      i < MARKETS.length
        ? MARKETS[i]
        : MARKETS[
            weightedIndex(
              random,
              MARKETS.map((m) => m.share),
            )
          ]
    if (!market) throw new Error('no market')
    const city = random.pick(market.cities)
    const n = (perCity.get(city) ?? 0) + 1
    perCity.set(city, n)
    const size = Math.round(Math.min(12_000, Math.max(150, random.logNormal(1100, 0.6))))
    const allDay = random.chance(0.05)
    const opens = allDay ? 0 : random.between(7, 9)
    const closes = allDay ? 24 : random.between(20, 22)
    stores.push({
      store_id: `S${String(i + 1).padStart(4, '0')}`,
      name: `${city} ${random.pick(STORE_KINDS)}${n > 1 ? ` ${n}` : ''}`,
      country: market.country,
      time_zone: market.timeZone,
      currency: market.currency,
      size_sqm: size,
      registers: Math.min(24, Math.max(2, Math.round(size / 250))),
      opens_hour: opens,
      closes_hour: closes,
      tax_rate_bp: market.taxRateBp,
    })
  }
  cachedStores = Object.freeze(stores.map((s) => Object.freeze(s)))
  return cachedStores
}

/** The catalogue, SKU-00001…SKU-05000, with list prices in euro cents. */
export function referenceProducts(): readonly Product[] {
  if (cachedProducts) return cachedProducts
  const random = new Random(REFERENCE_SEED).fork('products')
  const shares = CATEGORIES.map((c) => c.share)
  const products: Product[] = []
  for (let i = 0; i < PRODUCT_COUNT; i++) {
    const category = CATEGORIES[weightedIndex(random, shares)]
    if (!category) throw new Error('no category')
    const euros = Math.max(0, Math.floor(random.logNormal(category.medianMinor, category.sigma) / 100))
    const size = random.pick(SIZES)
    products.push({
      sku: `SKU-${String(i + 1).padStart(5, '0')}`,
      name: `${random.pick(BRANDS)} ${random.pick(category.nouns)}${size ? ` ${size}` : ''}`,
      category: category.name,
      list_price_minor: euros * 100 + priceEnding(random, euros),
      price_currency: 'EUR',
    })
  }
  cachedProducts = Object.freeze(products.map((p) => Object.freeze(p)))
  return cachedProducts
}

/** Cents of a shelf price: .99 most of the time, then .49, .95 and round figures. */
function priceEnding(random: Random, euros: number): number {
  const x = random.float()
  if (x < 0.62) return 99
  if (x < 0.77) return 49
  if (x < 0.87) return 95
  return euros === 0 ? 50 : 0
}

/**
 * A product's shelf price in a store's currency (minor units), derived from the EUR list price
 * with a fixed rate and local price points: the list price's cents ending for two-digit
 * currencies, …8 yen for JPY.
 */
export function localPriceMinor(product: Pick<Product, 'list_price_minor'>, currency: string): number {
  const rate = EUR_RATE[currency]
  const digits = CURRENCY_DIGITS[currency]
  if (rate === undefined || digits === undefined) throw new Error(`no price table for ${currency}`)
  const major = (product.list_price_minor / 100) * rate
  if (digits === 0) return Math.max(8, Math.round(major / 10) * 10 - 2)
  if (currency === 'EUR') return product.list_price_minor
  return Math.max(0, Math.floor(major)) * 100 + (product.list_price_minor % 100)
}
