/**
 * The simulator's stream of Kafka messages: receipts from the generator at the timeline's
 * instants, encoded as sale_line v1 JSON and keyed by store, with the configured faults mixed
 * in — late receipts, offline-register bursts uploaded minutes late, duplicate sends of the same
 * event, malformed messages and receipts dated far in the past or future. Pure and
 * deterministic: the pacer asks for n messages, nothing here reads a clock or does I/O.
 */
import type { Random } from '../domain/random.ts'
import type { SaleLine } from '../domain/sale-line.ts'
import type { ReceiptGenerator } from './receipts.ts'
import type { Timeline } from './timeline.ts'

export type MessageType = 'SALE' | 'RETURN' | 'VOID' | 'MALFORMED'
export const MESSAGE_TYPES: readonly MessageType[] = ['SALE', 'RETURN', 'VOID', 'MALFORMED']

export type FaultKind = 'late' | 'offline_burst' | 'duplicate' | 'malformed' | 'far_date'
export const FAULT_KINDS: readonly FaultKind[] = [
  'late',
  'offline_burst',
  'duplicate',
  'malformed',
  'far_date',
]

export interface OutgoingMessage {
  /** store_id, the Kafka key (one Buffer per store, shared by its messages). */
  readonly key: Buffer
  readonly value: Buffer
  readonly type: MessageType
}

export interface FaultSettings {
  /** Share of receipts sent late, by an exponential delay with the mean below. */
  readonly lateShare: number
  readonly lateMeanDelayMs: number
  /** Chance per receipt that a register comes back online and uploads what it held. */
  readonly offlineShare: number
  /** How long an offline register was cut off (its receipts span this window). */
  readonly offlineMinutes: number
  /** Share of events sent a second time with the same event_id. */
  readonly duplicateShare: number
  /** Share of events accompanied by a malformed message. */
  readonly malformedShare: number
  /** Share of receipts with a till clock years off (past or future). */
  readonly farDateShare: number
}

export const NO_FAULTS: FaultSettings = {
  lateShare: 0,
  lateMeanDelayMs: 120_000,
  offlineShare: 0,
  offlineMinutes: 10,
  duplicateShare: 0,
  malformedShare: 0,
  farDateShare: 0,
}

export interface EventSourceOptions {
  readonly generator: ReceiptGenerator
  readonly timeline: Timeline
  readonly faults: FaultSettings
  readonly random: Random
  /** Called for every message a fault touched (late, burst, duplicate, malformed, far date). */
  readonly onFault?: (kind: FaultKind) => void
}

const DAY_MS = 86_400_000
const MAX_LATE_MS = DAY_MS
/** Duplicates wait for this many further messages at most; the queue of them is bounded. */
const DUPLICATE_MAX_GAP = 200
const MAX_PENDING_DUPLICATES = 1000

export class EventSource {
  readonly #generator: ReceiptGenerator
  readonly #timeline: Timeline
  readonly #faults: FaultSettings
  readonly #random: Random
  readonly #onFault: (kind: FaultKind) => void
  readonly #keys = new Map<string, Buffer>()
  #pending: OutgoingMessage[] = []
  #head = 0
  #duplicates: { due: number; message: OutgoingMessage }[] = []
  #sequence = 0
  #exhausted = false

  constructor(options: EventSourceOptions) {
    this.#generator = options.generator
    this.#timeline = options.timeline
    this.#faults = options.faults
    this.#random = options.random
    this.#onFault = options.onFault ?? (() => undefined)
  }

  /** True once a simulated history is complete and every message was taken. */
  get exhausted(): boolean {
    return this.#exhausted && this.#head >= this.#pending.length && this.#duplicates.length === 0
  }

  /** Up to `n` messages (fewer only when the timeline has ended). */
  take(n: number): OutgoingMessage[] {
    const out: OutgoingMessage[] = []
    while (out.length < n) {
      const duplicate = this.#duplicates[0]
      if (duplicate && (duplicate.due <= this.#sequence || this.#exhausted)) {
        this.#duplicates.shift()
        out.push(duplicate.message)
        this.#sequence += 1
        continue
      }
      if (this.#head >= this.#pending.length && !this.#fill()) break
      const message = this.#pending[this.#head++]
      if (!message) continue
      out.push(message)
      this.#sequence += 1
      if (message.type !== 'MALFORMED' && this.#random.chance(this.#faults.duplicateShare)) {
        this.#scheduleDuplicate(message)
      }
    }
    return out
  }

  #scheduleDuplicate(message: OutgoingMessage): void {
    this.#onFault('duplicate')
    const due = this.#sequence + 1 + this.#random.int(DUPLICATE_MAX_GAP)
    if (this.#duplicates.length >= MAX_PENDING_DUPLICATES) {
      this.#pending.splice(this.#head, 0, message)
      return
    }
    const at = this.#duplicates.findIndex((d) => d.due > due)
    this.#duplicates.splice(at < 0 ? this.#duplicates.length : at, 0, { due, message })
  }

  /** Generates the next receipt (or burst) into the pending queue; false when the timeline ended. */
  #fill(): boolean {
    this.#pending = []
    this.#head = 0
    if (this.#exhausted) return false
    const time = this.#timeline.next()
    if (time === undefined) {
      this.#exhausted = true
      return false
    }
    const faults = this.#faults
    const random = this.#random
    const generator = this.#generator
    if (random.chance(faults.offlineShare)) {
      this.#offlineBurst(time)
    } else if (random.chance(faults.farDateShare)) {
      const years = random.between(1, 5) * (random.chance(0.5) ? -1 : 1)
      const shifted = time + years * 365 * DAY_MS + random.int(DAY_MS)
      // a receipt dated in the future must not become the original of a return made today
      this.#push(
        generator.saleAt(generator.weights.pick(shifted, random), shifted, { remember: false }),
        'far_date',
      )
    } else if (random.chance(faults.lateShare)) {
      const delay = Math.min(MAX_LATE_MS, Math.max(1, Math.round(random.exponential(faults.lateMeanDelayMs))))
      const at = time - delay
      this.#push(generator.saleAt(generator.weights.pick(at, random), at), 'late')
    } else {
      this.#push(generator.receiptAt(time))
    }
    return true
  }

  /** A register that was offline uploads its receipts of the last minutes at once. */
  #offlineBurst(time: number): void {
    const random = this.#random
    const generator = this.#generator
    const windowMs = Math.max(60_000, this.#faults.offlineMinutes * 60_000)
    const storeIndex = generator.weights.pick(time - windowMs / 2, random)
    const store = generator.stores[storeIndex]
    if (!store) return
    const register = generator.registerOf(store)
    const count = random.between(5, 30)
    const times = Array.from({ length: count }, () => time - windowMs + random.int(windowMs - 30_000)).sort(
      (a, b) => a - b,
    )
    for (const at of times) this.#push(generator.saleAt(storeIndex, at, { register }), 'offline_burst')
  }

  #push(lines: readonly SaleLine[], fault?: FaultKind): void {
    const random = this.#random
    for (const line of lines) {
      if (random.chance(this.#faults.malformedShare)) {
        this.#onFault('malformed')
        this.#pending.push({
          key: this.#key(line.store_id),
          value: malformed(line, random),
          type: 'MALFORMED',
        })
      }
      if (fault) this.#onFault(fault)
      this.#pending.push({
        key: this.#key(line.store_id),
        value: Buffer.from(JSON.stringify(line)),
        type: line.event_type,
      })
    }
  }

  #key(storeId: string): Buffer {
    let key = this.#keys.get(storeId)
    if (key === undefined) {
      key = Buffer.from(storeId)
      this.#keys.set(storeId, key)
    }
    return key
  }
}

/**
 * Broken variants of a real line, as buggy tills and integrations send them: cut-off JSON, a
 * number as a string, a negative price, a missing field, wrong arithmetic, bytes that are not UTF-8.
 */
export function malformed(line: SaleLine, random: Random): Buffer {
  const text = JSON.stringify(line)
  switch (random.int(6)) {
    case 0:
      return Buffer.from(text.slice(0, 1 + random.int(text.length - 2)))
    case 1:
      return Buffer.from(JSON.stringify({ ...line, quantity: String(line.quantity) }))
    case 2: {
      const unit = -Math.max(1, line.unit_price_minor)
      const net = line.quantity * unit - line.discount_minor + line.tax_minor
      return Buffer.from(JSON.stringify({ ...line, unit_price_minor: unit, net_amount_minor: net }))
    }
    case 3: {
      const { sku: _sku, ...rest } = line
      return Buffer.from(JSON.stringify(rest))
    }
    case 4:
      return Buffer.from(JSON.stringify({ ...line, net_amount_minor: line.net_amount_minor + 1 }))
    default:
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(0, 40))])
  }
}
