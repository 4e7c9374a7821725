/**
 * Receipts as a till writes them: the store is drawn by its local traffic at that instant, the
 * basket size is skewed (many one-line receipts, a long tail), SKUs follow a Zipf law, most
 * quantities are 1, promotions discount what they cover, tax is the store's rate on top, a
 * share of customers is anonymous, cashiers occasionally void a line, and returns refer to a
 * receipt the same store issued earlier. Everything comes from one seeded generator, so the
 * same seed, settings and times give the same receipts.
 */
import { customerRef, uuidv7 } from '../domain/ids.ts'
import { Random } from '../domain/random.ts'
import { localPriceMinor, type Product, type Store } from '../domain/reference-data.ts'
import { PAYMENT_METHODS, type EventType, type PaymentMethod, type SaleLine } from '../domain/sale-line.ts'
import { PromotionCalendar } from './promotions.ts'
import { localTime, StoreWeights, ZipfSampler, type TrafficProfile } from './traffic.ts'

export interface ReceiptSettings {
  /** Exponent s of the SKU popularity law P(rank k) ∝ 1/k^s. */
  readonly zipfExponent: number
  /** Share of receipts that are returns (when the store has an earlier receipt to return to). */
  readonly returnShare: number
  /** Chance that a cashier voids a line right after scanning it. */
  readonly voidShare: number
  /** Share of receipts without a loyalty card. */
  readonly anonymousShare: number
  readonly promotionsPerWeek: number
  readonly traffic: TrafficProfile
  /** Key of the HMAC that turns a loyalty id into customer_ref. */
  readonly loyaltyKey: string
}

export interface ReceiptGeneratorOptions {
  readonly seed: string
  readonly stores: readonly Store[]
  readonly products: readonly Product[]
  readonly settings: ReceiptSettings
}

/** What a return needs to know about an earlier sale line. */
interface SoldLine {
  readonly product: number
  readonly quantity: number
  readonly unit: number
  readonly discount: number
  readonly tax: number
  readonly promoId: string | null
  returnable: number
}

interface SoldReceipt {
  readonly receiptId: string
  readonly payment: PaymentMethod
  readonly customer: string | null
  readonly lines: SoldLine[]
}

export interface SaleOptions {
  /** The till (offline bursts keep one); drawn when absent. */
  readonly register?: string
  /** false: returns must not refer to this receipt (a till clock in the future). */
  readonly remember?: boolean
}

interface LineCommon {
  readonly eventTime: string
  readonly store: Store
  readonly register: string
  readonly receiptId: string
  readonly product: Product
  readonly unit: number
  readonly payment: PaymentMethod
  readonly promoId: string | null
  readonly customer: string | null
  readonly originalReceiptId: string | null
}

/** A line with its fields in the contract's order (what `sretl tail --json` shows). */
function lineOf(
  c: LineCommon,
  eventId: string,
  type: EventType,
  lineNo: number,
  quantity: number,
  discount: number,
  tax: number,
): SaleLine {
  return {
    event_id: eventId,
    event_type: type,
    event_time: c.eventTime,
    store_id: c.store.store_id,
    register_id: c.register,
    receipt_id: c.receiptId,
    line_no: lineNo,
    sku: c.product.sku,
    category: c.product.category,
    quantity,
    unit_price_minor: c.unit,
    discount_minor: discount,
    tax_minor: tax,
    net_amount_minor: quantity * c.unit - discount + tax,
    currency: c.store.currency,
    payment_method: c.payment,
    promo_id: c.promoId,
    customer_ref: c.customer,
    original_receipt_id: c.originalReceiptId,
  }
}

/** Earlier receipts kept per store for returns to refer to. */
const HISTORY_PER_STORE = 64
const MAX_LINES = 40
const PAYMENT_WEIGHTS: Readonly<Record<PaymentMethod, number>> = {
  CARD: 0.55,
  MOBILE: 0.2,
  CASH: 0.18,
  GIFT_CARD: 0.04,
  VOUCHER: 0.03,
}

/** Expected lines of a sale receipt under the basket law below (for volume planning). */
export const MEAN_LINES_PER_RECEIPT = 0.35 * 1 + 0.65 * (2 + 3.5)

export class ReceiptGenerator {
  readonly stores: readonly Store[]
  readonly products: readonly Product[]
  readonly weights: StoreWeights
  readonly #settings: ReceiptSettings
  readonly #random: Random
  readonly #zipf: ZipfSampler
  readonly #promotions: PromotionCalendar
  readonly #prices: Map<string, Int32Array> = new Map()
  readonly #history: SoldReceipt[][]
  readonly #idBytes = new Uint8Array(10)

  constructor(options: ReceiptGeneratorOptions) {
    this.stores = options.stores
    this.products = options.products
    this.#settings = options.settings
    const root = new Random(options.seed)
    this.#random = root.fork('receipts')
    this.#zipf = new ZipfSampler(options.products.length, options.settings.zipfExponent, root.fork('zipf'))
    this.#promotions = new PromotionCalendar(
      options.seed,
      options.products,
      options.settings.promotionsPerWeek,
    )
    this.weights = new StoreWeights(options.stores, options.settings.traffic)
    this.#history = options.stores.map(() => [])
  }

  /** rank (0-based) → product index of the popularity law, for statistics. */
  get popularityOrder(): Int32Array {
    return this.#zipf.rankToItem
  }

  /** One receipt at `timeMs` in a store drawn by traffic: a sale, or sometimes a return. */
  receiptAt(timeMs: number): SaleLine[] {
    const storeIndex = this.weights.pick(timeMs, this.#random)
    const history = this.#history[storeIndex] ?? []
    if (history.length > 0 && this.#random.chance(this.#settings.returnShare)) {
      return this.#returnAt(storeIndex, timeMs, history)
    }
    return this.saleAt(storeIndex, timeMs)
  }

  /** A sale receipt in a given store (offline-register bursts pick their store themselves). */
  saleAt(storeIndex: number, timeMs: number, options: SaleOptions = {}): SaleLine[] {
    const random = this.#random
    const store = this.#store(storeIndex)
    const register = options.register ?? this.registerOf(store)
    const payment = this.#payment()
    const customer = this.#customer(store)
    const receiptId = this.#receiptId(store, register, timeMs)
    const eventTime = new Date(timeMs).toISOString()
    const lines: SaleLine[] = []
    const sold: SoldLine[] = []
    const count = this.#basketSize()
    for (let i = 0; i < count && lines.length < MAX_LINES; i++) {
      const productIndex = this.#zipf.sample(random)
      const product = this.products[productIndex]
      if (!product) continue
      const quantity = this.#quantity()
      const unit = this.#price(productIndex, store.currency)
      const promo = this.#promotions.promotionFor(productIndex, timeMs)
      const gross = quantity * unit
      const discount = promo ? Math.round((gross * promo.percentOff) / 100) : 0
      const tax = Math.round(((gross - discount) * store.tax_rate_bp) / 10_000)
      const common: LineCommon = {
        eventTime,
        store,
        register,
        receiptId,
        product,
        unit,
        payment,
        promoId: promo?.promoId ?? null,
        customer,
        originalReceiptId: null,
      }
      lines.push(lineOf(common, this.#eventId(timeMs), 'SALE', lines.length + 1, quantity, discount, tax))
      if (random.chance(this.#settings.voidShare)) {
        lines.push(
          lineOf(common, this.#eventId(timeMs), 'VOID', lines.length + 1, -quantity, -discount, -tax),
        )
        continue
      }
      sold.push({
        product: productIndex,
        quantity,
        unit,
        discount,
        tax,
        promoId: promo?.promoId ?? null,
        returnable: quantity,
      })
    }
    if (sold.length > 0 && options.remember !== false)
      this.#remember(storeIndex, { receiptId, payment, customer, lines: sold })
    return lines
  }

  registerOf(store: Store): string {
    return `R${String(1 + this.#random.int(store.registers)).padStart(2, '0')}`
  }

  /** A return of one or two lines of an earlier receipt of the same store, at today's price. */
  #returnAt(storeIndex: number, timeMs: number, history: SoldReceipt[]): SaleLine[] {
    const random = this.#random
    const store = this.#store(storeIndex)
    const original = random.pick(history)
    const open = original.lines.filter((l) => l.returnable > 0)
    const register = this.registerOf(store)
    const receiptId = this.#receiptId(store, register, timeMs)
    const eventTime = new Date(timeMs).toISOString()
    const lines: SaleLine[] = []
    const wanted = random.chance(0.8) ? 1 : 2
    for (let i = 0; i < wanted && open.length > 0; i++) {
      const line = open.splice(random.int(open.length), 1)[0]
      const product = line ? this.products[line.product] : undefined
      if (!line || !product) continue
      const quantity = random.chance(0.7) ? line.returnable : random.between(1, line.returnable)
      line.returnable -= quantity
      // the refund is the share of what was paid, so a return never refunds more than the sale
      const discount = -Math.round((line.discount * quantity) / line.quantity)
      const tax = -Math.round((line.tax * quantity) / line.quantity)
      const common: LineCommon = {
        eventTime,
        store,
        register,
        receiptId,
        product,
        unit: line.unit,
        payment: original.payment,
        promoId: line.promoId,
        customer: original.customer,
        originalReceiptId: original.receiptId,
      }
      lines.push(lineOf(common, this.#eventId(timeMs), 'RETURN', lines.length + 1, -quantity, discount, tax))
    }
    if (original.lines.every((l) => l.returnable === 0)) history.splice(history.indexOf(original), 1)
    return lines.length > 0 ? lines : this.saleAt(storeIndex, timeMs)
  }

  #remember(storeIndex: number, receipt: SoldReceipt): void {
    const history = this.#history[storeIndex]
    if (!history) return
    if (history.length >= HISTORY_PER_STORE) history.splice(this.#random.int(history.length), 1)
    history.push(receipt)
  }

  #store(index: number): Store {
    const store = this.stores[index]
    if (!store) throw new Error(`no store ${index}`)
    return store
  }

  /** Lines on a receipt: a third are single items, the rest 2 + a geometric tail (mean 3.5). */
  #basketSize(): number {
    const random = this.#random
    if (random.chance(0.35)) return 1
    const p = 1 / 4.5
    return Math.min(MAX_LINES, 2 + Math.floor(Math.log(1 - random.float()) / Math.log(1 - p)))
  }

  #quantity(): number {
    const x = this.#random.float()
    if (x < 0.78) return 1
    if (x < 0.91) return 2
    if (x < 0.96) return 3
    if (x < 0.99) return this.#random.between(4, 6)
    return this.#random.between(7, 12)
  }

  #payment(): PaymentMethod {
    let x = this.#random.float()
    for (const method of PAYMENT_METHODS) {
      x -= PAYMENT_WEIGHTS[method]
      if (x < 0) return method
    }
    return 'CARD'
  }

  #customer(store: Store): string | null {
    if (this.#random.chance(this.#settings.anonymousShare)) return null
    const loyaltyId = `LY-${store.country}-${String(this.#random.int(250_000)).padStart(6, '0')}`
    return customerRef(loyaltyId, this.#settings.loyaltyKey)
  }

  #price(productIndex: number, currency: string): number {
    let table = this.#prices.get(currency)
    if (!table) {
      table = Int32Array.from(this.products, (p) => localPriceMinor(p, currency))
      this.#prices.set(currency, table)
    }
    return table[productIndex] ?? 0
  }

  /** S0042-R03-20261130-123456-7f3a: store, till, local date and time, and a random tail. */
  #receiptId(store: Store, register: string, timeMs: number): string {
    const local = localTime(store.time_zone, timeMs).toISOString()
    const stamp = `${local.slice(0, 4)}${local.slice(5, 7)}${local.slice(8, 10)}-${local.slice(11, 13)}${local.slice(14, 16)}${local.slice(17, 19)}`
    const tail = (this.#random.uint32() & 0xffff).toString(16).padStart(4, '0')
    return `${store.store_id}-${register}-${stamp}-${tail}`
  }

  #eventId(timeMs: number): string {
    return uuidv7(timeMs, this.#random.fill(this.#idBytes))
  }
}
