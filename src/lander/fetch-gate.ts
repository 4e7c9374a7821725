/**
 * Whether the lander fetches from Kafka. Several parties hold fetching paused independently (the
 * operator, a seek in progress, a batch being retried); the stream runs only while none does.
 * The stream is re-created after a Kafka failure, so the gate re-applies itself to each new one.
 */

export type FetchPause = 'operator' | 'seek' | 'retry'

/** What the gate drives: the client's message stream. */
export interface PausableStream {
  pause(): unknown
  resume(): unknown
}

export class FetchGate {
  readonly #pauses = new Set<FetchPause>()
  #stream: PausableStream | undefined
  #streamPaused = false

  pause(why: FetchPause): void {
    this.#pauses.add(why)
    this.#apply()
  }

  resume(why: FetchPause): void {
    this.#pauses.delete(why)
    this.#apply()
  }

  has(why: FetchPause): boolean {
    return this.#pauses.has(why)
  }

  /** The reasons fetching is paused for now, sorted (for /status). */
  reasons(): FetchPause[] {
    return [...this.#pauses].sort()
  }

  /** A new stream starts unpaused; it is paused at once if anyone holds fetching. */
  attach(stream: PausableStream): void {
    this.#stream = stream
    this.#streamPaused = false
    this.#apply()
  }

  detach(): void {
    this.#stream = undefined
  }

  #apply(): void {
    const want = this.#pauses.size > 0
    if (!this.#stream || want === this.#streamPaused) return
    this.#streamPaused = want
    if (want) this.#stream.pause()
    else this.#stream.resume()
  }
}
