/**
 * Merges the Kafka sends of requests handled in the same turn of the event loop into one
 * produce call. Without it, a till sending one event per request costs one produce request per
 * event, and the idempotent producer's few in-flight requests per broker cap throughput at a
 * few thousand events per second; with it, concurrent small requests share a batch at no added
 * latency (the merge waits for nothing but the current turn). The linger of Kafka's own clients
 * does the same with a timer.
 */
import type { BytesMessage } from '../platform/kafka.ts'

interface Group {
  readonly messages: BytesMessage[]
  readonly waiters: { resolve: () => void; reject: (err: unknown) => void }[]
}

export class CoalescingSender {
  readonly #send: (messages: BytesMessage[]) => Promise<unknown>
  readonly #maxMessages: number
  #group: Group | undefined

  constructor(send: (messages: BytesMessage[]) => Promise<unknown>, maxMessages: number) {
    this.#send = send
    this.#maxMessages = maxMessages
  }

  /** Resolves when Kafka acknowledged the merged send these messages went out in. */
  send(messages: readonly BytesMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      let group = this.#group
      if (!group) {
        group = { messages: [], waiters: [] }
        this.#group = group
        const scheduled = group
        setImmediate(() => this.#flush(scheduled))
      }
      group.messages.push(...messages)
      group.waiters.push({ resolve, reject })
      if (group.messages.length >= this.#maxMessages) this.#flush(group)
    })
  }

  #flush(group: Group): void {
    if (this.#group !== group) return
    this.#group = undefined
    this.#send(group.messages).then(
      () => {
        for (const w of group.waiters) w.resolve()
      },
      (err: unknown) => {
        for (const w of group.waiters) w.reject(err)
      },
    )
  }
}
