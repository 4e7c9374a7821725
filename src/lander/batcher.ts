/**
 * Cuts the record stream into batches by count, bytes and age, independently of how Kafka
 * delivers them. One batch fills while the previous one lands; when the filling batch is full,
 * `add` waits — the reader stops taking records, the client's bounded buffer fills and fetching
 * stops. So at most two batches and the client's buffer are ever in memory.
 */
import type { LanderRecord } from './records.ts'

export interface BatchLimits {
  readonly maxRows: number
  readonly maxBytes: number
  readonly maxWaitMs: number
}

export interface Batch {
  readonly records: readonly LanderRecord[]
  readonly bytes: number
  /** When its first record arrived (clock ms). */
  readonly openedAt: number
}

export class Batcher {
  readonly #limits: BatchLimits
  readonly #clock: () => number
  #records: LanderRecord[] = []
  #bytes = 0
  #openedAt = 0
  #timer: NodeJS.Timeout | undefined
  #closed = false
  #spaceWaiters: (() => void)[] = []
  #takeWaiter: (() => void) | undefined

  constructor(limits: BatchLimits, clock: () => number) {
    this.#limits = limits
    this.#clock = clock
  }

  /** Records and bytes in the batch being filled. */
  get pending(): { readonly records: number; readonly bytes: number } {
    return { records: this.#records.length, bytes: this.#bytes }
  }

  /** The records of the batch being filled (for status: the oldest waiting record per partition). */
  get pendingRecords(): readonly LanderRecord[] {
    return this.#records
  }

  #full(): boolean {
    return this.#records.length >= this.#limits.maxRows || this.#bytes >= this.#limits.maxBytes
  }

  /** Adds a record, waiting while the batch is full. Resolves false once the batcher is closed. */
  async add(record: LanderRecord): Promise<boolean> {
    while (!this.#closed && this.#records.length > 0 && this.#fullWith(record)) {
      const space = new Promise<void>((resolve) => this.#spaceWaiters.push(resolve))
      this.#wakeTaker()
      await space
    }
    if (this.#closed) return false
    const first = this.#records.length === 0
    if (first) this.#openedAt = this.#clock()
    this.#records.push(record)
    this.#bytes += record.bytes
    // the taker starts its age timer at the first record, and is woken at once when it is full
    if (first || this.#full()) this.#wakeTaker()
    return true
  }

  /** A record that would push the batch past its byte limit waits for the next batch. */
  #fullWith(record: LanderRecord): boolean {
    return this.#full() || this.#bytes + record.bytes > this.#limits.maxBytes
  }

  /**
   * The next batch, once it is full, old enough, or the batcher is closed; undefined when closed
   * and empty. One taker at a time.
   */
  async take(): Promise<Batch | undefined> {
    for (;;) {
      const count = this.#records.length
      const ready =
        count > 0 &&
        (this.#closed ||
          this.#full() ||
          this.#spaceWaiters.length > 0 ||
          this.#clock() - this.#openedAt >= this.#limits.maxWaitMs)
      if (ready) return this.#cut()
      if (this.#closed) return undefined
      // the age limit is re-checked against the clock after every wake-up: a timer may fire a
      // little before the clock says the time is up, and then it is simply armed again
      const remaining = count > 0 ? this.#limits.maxWaitMs - (this.#clock() - this.#openedAt) : undefined
      await new Promise<void>((resolve) => {
        this.#takeWaiter = resolve
        if (remaining !== undefined) this.#timer = setTimeout(resolve, Math.max(1, remaining))
      })
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  #cut(): Batch {
    const batch = { records: this.#records, bytes: this.#bytes, openedAt: this.#openedAt }
    this.#records = []
    this.#bytes = 0
    const waiters = this.#spaceWaiters
    this.#spaceWaiters = []
    for (const wake of waiters) wake()
    return batch
  }

  #wakeTaker(): void {
    const wake = this.#takeWaiter
    this.#takeWaiter = undefined
    wake?.()
  }

  /** No more records: `take` hands out what is left, then undefined; waiting adders get false. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#wakeTaker()
    const waiters = this.#spaceWaiters
    this.#spaceWaiters = []
    for (const wake of waiters) wake()
  }
}
