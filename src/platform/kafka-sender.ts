/**
 * The one way components hand events to the idempotent producer: one produce call in flight at a
 * time, and the sends that arrive meanwhile merged into the next one (ADR 0053).
 *
 * Why one at a time: @platformatic/kafka keeps one sequence counter per partition for its
 * producer id and resets it when a send fails. A send that had already taken the old producer id
 * when another one failed then numbers its batch from the reset counter; if that range matches a
 * batch the broker still remembers for the old id, the broker answers "duplicate" and
 * acknowledges events it never wrote. Seen as acknowledged events missing from the topic after
 * a broker restart under load. With one call in flight no send can straddle a reset, and merging
 * keeps throughput: concurrent small sends share a batch, as the linger of Kafka's own clients does.
 */
import { SretlError } from './errors.ts'
import type { BytesMessage } from './kafka.ts'

interface Group {
  readonly messages: BytesMessage[]
  readonly waiters: { resolve: () => void; reject: (err: unknown) => void }[]
}

export interface KafkaSenderSettings {
  /** Most messages in one produce call; a caller's larger send goes alone. */
  readonly maxBatchMessages: number
  /** Most messages waiting or in flight; beyond it a send is refused at once (never queued). */
  readonly maxQueuedMessages: number
}

export class KafkaSender {
  readonly #send: (messages: BytesMessage[]) => Promise<unknown>
  readonly #settings: KafkaSenderSettings
  readonly #queue: Group[] = []
  #queued = 0
  #busy = false

  constructor(send: (messages: BytesMessage[]) => Promise<unknown>, settings: KafkaSenderSettings) {
    this.#send = send
    this.#settings = settings
  }

  /** Messages handed over and not yet acknowledged or failed. */
  get queued(): number {
    return this.#queued
  }

  /** Resolves when Kafka acknowledged the produce call these messages went out in. */
  send(messages: readonly BytesMessage[]): Promise<void> {
    if (this.#queued + messages.length > this.#settings.maxQueuedMessages) {
      return Promise.reject(
        new SretlError(
          'KAFKA_UNAVAILABLE',
          `${this.#queued} messages are waiting for Kafka already (the limit is ${this.#settings.maxQueuedMessages})`,
        ),
      )
    }
    return new Promise((resolve, reject) => {
      const last = this.#queue.at(-1)
      const fits = last && last.messages.length + messages.length <= this.#settings.maxBatchMessages
      const group = fits ? last : { messages: [], waiters: [] }
      if (!fits) this.#queue.push(group)
      group.messages.push(...messages)
      group.waiters.push({ resolve, reject })
      this.#queued += messages.length
      this.#pump()
    })
  }

  #pump(): void {
    if (this.#busy || this.#queue.length === 0) return
    this.#busy = true
    // wait for the rest of this turn: the sends of requests handled in it join the group
    setImmediate(() => this.#flush())
  }

  #flush(): void {
    const group = this.#queue.shift()
    if (!group) {
      this.#busy = false
      return
    }
    const done = (): void => {
      this.#queued -= group.messages.length
      this.#busy = false
      this.#pump()
    }
    this.#send(group.messages).then(
      () => {
        done()
        for (const w of group.waiters) w.resolve()
      },
      (err: unknown) => {
        done()
        for (const w of group.waiters) w.reject(err)
      },
    )
  }
}
