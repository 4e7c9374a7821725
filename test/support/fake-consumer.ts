/**
 * A stand-in for the Kafka consumer and its message stream, for the lander parts' UNIT tests only
 * (integration tests use a real broker): messages are pushed by the test, the stream records
 * pause/resume/close, and `consume` hands out the streams (or failures) queued for it.
 */
import { EventEmitter } from 'node:events'
import type { BytesConsumer } from '../../src/platform/kafka.ts'
import type { BytesStream } from '../../src/lander/reader.ts'

export interface FakeMessage {
  readonly partition: number
  readonly offset: bigint
}

export class FakeStream extends EventEmitter {
  readonly offsetsToFetch = new Map<string, bigint>()
  readonly calls: string[] = []
  readableLength = 0
  closed = false
  readonly #queue: FakeMessage[] = []
  #ended = false
  #wake: (() => void) | undefined

  push(...messages: FakeMessage[]): void {
    this.#queue.push(...messages)
    this.#notify()
  }

  end(): void {
    this.#ended = true
    this.#notify()
  }

  pause(): void {
    this.calls.push('pause')
  }

  resume(): void {
    this.calls.push('resume')
  }

  close(): Promise<void> {
    this.closed = true
    this.end()
    return Promise.resolve()
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<unknown> {
    for (;;) {
      const next = this.#queue.shift()
      if (next) {
        yield {
          key: Buffer.alloc(0),
          value: Buffer.from('{}'),
          headers: new Map(),
          partition: next.partition,
          offset: next.offset,
          timestamp: 0n,
          topic: 'sales.events.v1',
        }
        continue
      }
      if (this.#ended) return
      await new Promise<void>((resolve) => (this.#wake = resolve))
    }
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}

/** What `consume` returns next: a stream, or a failure thrown. */
export type ConsumeOutcome = FakeStream | Error | Promise<FakeStream>

export function fakeConsumer(outcomes: ConsumeOutcome[]): Pick<BytesConsumer, 'consume'> & {
  readonly opened: number
} {
  let opened = 0
  return {
    get opened() {
      return opened
    },
    consume: async () => {
      opened += 1
      const next = outcomes.shift()
      if (next === undefined) return new Promise<never>(() => undefined)
      if (next instanceof Error) throw next
      return (await next) as unknown as BytesStream
    },
  }
}
