/**
 * Chain-wide promotions: each ISO week gets a few, each with a start and end, a percentage off,
 * and either a whole category or a list of SKUs. They are derived from (seed, week) alone, so any
 * simulated instant sees the same promotions whatever was generated before it.
 */
import type { Product } from '../domain/reference-data.ts'
import { Random } from '../domain/random.ts'

export interface Promotion {
  readonly promoId: string
  readonly startMs: number
  readonly endMs: number
  readonly percentOff: number
  readonly category?: string
  readonly skus?: ReadonlySet<number>
}

const DAY_MS = 86_400_000
const WEEK_MS = 7 * DAY_MS
/** 1970-01-05 was a Monday: weeks start on Mondays, UTC. */
const FIRST_MONDAY_MS = 4 * DAY_MS

export class PromotionCalendar {
  readonly #seed: string
  readonly #products: readonly Product[]
  readonly #categories: readonly string[]
  readonly #perWeek: number
  readonly #weeks = new Map<number, readonly Promotion[]>()
  #activeHour = Number.NaN
  #active: readonly Promotion[] = []

  constructor(seed: string, products: readonly Product[], perWeek: number) {
    this.#seed = seed
    this.#products = products
    this.#categories = [...new Set(products.map((p) => p.category))].sort()
    this.#perWeek = perWeek
  }

  /** Promotions running at `timeMs` (promotions start and end on whole hours). */
  activeAt(timeMs: number): readonly Promotion[] {
    const hour = Math.floor(timeMs / 3_600_000)
    if (hour !== this.#activeHour) {
      this.#activeHour = hour
      const week = Math.floor((timeMs - FIRST_MONDAY_MS) / WEEK_MS)
      // a promotion may start late in one week and run into the next
      this.#active = [...this.#week(week - 1), ...this.#week(week)].filter(
        (p) => p.startMs <= timeMs && timeMs < p.endMs,
      )
    }
    return this.#active
  }

  /** The promotion a product gets at `timeMs`, if any (the biggest discount wins). */
  promotionFor(productIndex: number, timeMs: number): Promotion | undefined {
    const product = this.#products[productIndex]
    let best: Promotion | undefined
    for (const promo of this.activeAt(timeMs)) {
      const applies = promo.category ? promo.category === product?.category : promo.skus?.has(productIndex)
      if (applies && (!best || promo.percentOff > best.percentOff)) best = promo
    }
    return best
  }

  #week(week: number): readonly Promotion[] {
    const cached = this.#weeks.get(week)
    if (cached) return cached
    const random = new Random(`${this.#seed}/promotions/${week}`)
    const weekStart = FIRST_MONDAY_MS + week * WEEK_MS
    const label = weekLabel(weekStart)
    const promos: Promotion[] = []
    for (let i = 0; i < this.#perWeek; i++) {
      const startMs = weekStart + random.int(6 * 24) * 3_600_000
      const endMs = startMs + random.between(24, 96) * 3_600_000
      const percentOff = random.pick([10, 15, 20, 25, 30, 40])
      const promoId = `PROMO-${label}-${String(i + 1).padStart(2, '0')}`
      if (random.chance(0.4)) {
        promos.push({ promoId, startMs, endMs, percentOff, category: random.pick(this.#categories) })
      } else {
        const skus = new Set<number>()
        const count = random.between(5, 40)
        while (skus.size < Math.min(count, this.#products.length)) skus.add(random.int(this.#products.length))
        promos.push({ promoId, startMs, endMs, percentOff, skus })
      }
    }
    if (this.#weeks.size > 8) this.#weeks.clear()
    this.#weeks.set(week, promos)
    return promos
  }
}

/** 2026W48 — the ISO week of a Monday (UTC). */
function weekLabel(mondayMs: number): string {
  const thursday = new Date(mondayMs + 3 * DAY_MS)
  const year = thursday.getUTCFullYear()
  const firstThursday =
    Date.UTC(year, 0, 1) + ((4 - new Date(Date.UTC(year, 0, 1)).getUTCDay() + 7) % 7) * DAY_MS
  const week = 1 + Math.round((thursday.getTime() - firstThursday) / WEEK_MS)
  return `${year}W${String(week).padStart(2, '0')}`
}
