/**
 * Which Kafka offsets this lander still has to land, per partition — the bookkeeping behind
 * "exactly once" across rebalances (ADR 0010). Two facts are tracked:
 *
 * - `landed`: the highest next offset known to be stored in PostgreSQL (read on assignment,
 *   raised by each commit). Every record below it has landed (or been dead-lettered): offsets
 *   are stored in the same transaction as the rows and only ever move forward, and every lander
 *   lands a partition's records in order from a stored offset. Such records are dropped on sight.
 * - `run`: the offsets this lander has taken into batches contiguously, [start, next). A record
 *   inside the run is a second delivery of one already in hand (a re-fetch after a seek) and is
 *   dropped; anything else is taken — duplicates that slip through are harmless, sales_raw's
 *   primary key absorbs them, while a record wrongly dropped would be lost.
 *
 * On assignment the fetch position of each partition is its stored offset, or the end of the run
 * when this lander already holds every record from the stored offset to there.
 */

export type AdmitDecision = 'take' | 'landed' | 'in-hand'

export interface SeekInput {
  /** Next offsets stored in PostgreSQL, for the partitions that have one. */
  readonly stored: ReadonlyMap<number, bigint>
  /** First offset Kafka still has, per partition. */
  readonly earliest: ReadonlyMap<number, bigint>
  /** Offset after the last record Kafka has (the high watermark), per partition. */
  readonly latest: ReadonlyMap<number, bigint>
}

export interface SeekPosition {
  readonly partition: number
  readonly position: bigint
  /** Why the position differs from the stored offset, when it does. */
  readonly note?: 'no stored offset' | 'stored offset expired' | 'stored offset beyond the end' | 'in hand'
}

interface PartitionState {
  assigned: boolean
  landed: bigint | undefined
  run: { start: bigint; next: bigint } | undefined
}

export class PartitionTracker {
  readonly #partitions = new Map<number, PartitionState>()

  #state(partition: number): PartitionState {
    let state = this.#partitions.get(partition)
    if (!state) {
      state = { assigned: false, landed: undefined, run: undefined }
      this.#partitions.set(partition, state)
    }
    return state
  }

  /** Decides whether a fetched record goes into a batch. */
  admit(partition: number, offset: bigint): AdmitDecision {
    const state = this.#state(partition)
    if (state.landed !== undefined && offset < state.landed) return 'landed'
    const run = state.run
    if (run === undefined || offset > run.next) {
      state.run = { start: offset, next: offset + 1n }
      return 'take'
    }
    if (offset === run.next) {
      run.next += 1n
      return 'take'
    }
    if (offset >= run.start) return 'in-hand'
    // older than the run (a re-fetch of a range before a gap): take it, the key dedupes
    return 'take'
  }

  /** A commit stored `nextOffset` for the partition. */
  landed(partition: number, nextOffset: bigint): void {
    const state = this.#state(partition)
    if (state.landed === undefined || nextOffset > state.landed) state.landed = nextOffset
  }

  /** The partitions assigned now, and where each one's fetching must start. */
  assign(partitions: readonly number[], input: SeekInput): SeekPosition[] {
    const wanted = new Set(partitions)
    for (const [partition, state] of this.#partitions) state.assigned = wanted.has(partition)
    const positions: SeekPosition[] = []
    for (const partition of [...wanted].sort((a, b) => a - b)) {
      const state = this.#state(partition)
      state.assigned = true
      const earliest = input.earliest.get(partition) ?? 0n
      const latest = input.latest.get(partition)
      const stored = input.stored.get(partition)
      let position: bigint
      let note: SeekPosition['note']
      if (stored === undefined) {
        position = earliest
        note = 'no stored offset'
      } else if (latest !== undefined && stored > latest) {
        // the topic was recreated or truncated: nothing below the stored offset can be trusted
        position = earliest
        note = 'stored offset beyond the end'
        state.landed = undefined
        state.run = undefined
      } else if (stored < earliest) {
        position = earliest
        note = 'stored offset expired'
        this.landed(partition, stored)
      } else {
        position = stored
        this.landed(partition, stored)
      }
      const run = state.run
      if (note !== 'stored offset beyond the end' && run && run.start <= position && run.next > position) {
        position = run.next
        note = 'in hand'
      }
      positions.push(note === undefined ? { partition, position } : { partition, position, note })
    }
    return positions
  }

  isAssigned(partition: number): boolean {
    return this.#partitions.get(partition)?.assigned === true
  }

  assigned(): number[] {
    return [...this.#partitions]
      .filter(([, s]) => s.assigned)
      .map(([p]) => p)
      .sort((a, b) => a - b)
  }

  /** The stored next offset known for a partition. */
  landedOffset(partition: number): bigint | undefined {
    return this.#partitions.get(partition)?.landed
  }
}
