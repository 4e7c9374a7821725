/**
 * Reads the dead-letter topic into the index, from its beginning and then as dead letters
 * arrive, with a consumer group of its own that never commits (it disturbs no pipeline
 * consumer). While Kafka or the topic is missing it says so and tries again.
 */
import { randomBytes } from 'node:crypto'
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka'
import type { KafkaConfig } from '../../platform/base-config.ts'
import { errorMessage } from '../../platform/errors.ts'
import { createConsumer, type BytesConsumer } from '../../platform/kafka.ts'
import { sleep } from '../../platform/lifecycle.ts'
import type { Logger } from '../../platform/logger.ts'
import type { DlqIndex } from './held-index.ts'

export interface DlqReaderState {
  readonly state: 'starting' | 'reading' | 'waiting' | 'stopped'
  readonly error: string | null
}

export class DlqReader {
  readonly #kafka: KafkaConfig
  readonly #topic: string
  readonly #index: DlqIndex
  readonly #logger: Logger
  readonly #retryMs: number
  #state: DlqReaderState = { state: 'starting', error: null }
  #consumer: BytesConsumer | undefined
  #stream: { close(): Promise<void> } | undefined
  #stopped = false
  #loop: Promise<void> | undefined
  readonly #abort = new AbortController()

  constructor(options: {
    kafka: KafkaConfig
    topic: string
    index: DlqIndex
    logger: Logger
    retryMs?: number
  }) {
    this.#kafka = options.kafka
    this.#topic = options.topic
    this.#index = options.index
    this.#logger = options.logger
    this.#retryMs = options.retryMs ?? 5000
  }

  get state(): DlqReaderState {
    return this.#state
  }

  start(): void {
    this.#loop = this.#run()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#abort.abort()
    await this.#stream?.close().catch(() => undefined)
    await this.#consumer?.close(true).catch(() => undefined)
    await this.#loop
    this.#state = { state: 'stopped', error: null }
  }

  async #run(): Promise<void> {
    let reported = false
    while (!this.#stopped) {
      try {
        await this.#readOnce()
      } catch (err) {
        if (this.#stopped) break
        this.#state = { state: 'waiting', error: errorMessage(err) }
        if (!reported)
          this.#logger.warn({ err, topic: this.#topic }, 'cannot read the dead-letter topic; retrying')
        reported = true
      }
      await this.#stream?.close().catch(() => undefined)
      await this.#consumer?.close(true).catch(() => undefined)
      this.#stream = undefined
      this.#consumer = undefined
      if (!this.#stopped) await sleep(this.#retryMs, this.#abort.signal)
    }
  }

  async #readOnce(): Promise<void> {
    const consumer = createConsumer(this.#kafka, {
      groupId: `${this.#kafka.clientId}-control-dlq-${randomBytes(6).toString('hex')}`,
      clientSuffix: 'control-dlq',
      maxWaitTimeMs: 500,
      highWaterMark: 256,
    })
    this.#consumer = consumer
    const metadata = await consumer.metadata({ topics: [this.#topic] })
    if (!metadata.topics.has(this.#topic)) throw new Error(`topic ${this.#topic} does not exist yet`)
    const stream = await consumer.consume({
      topics: [this.#topic],
      mode: MessagesStreamModes.EARLIEST,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    })
    this.#stream = stream
    this.#state = { state: 'reading', error: null }
    for await (const m of stream) {
      this.#index.add({
        partition: m.partition,
        offset: m.offset,
        timestamp: Number(m.timestamp),
        key: m.key,
        value: m.value,
        headers: [...m.headers.entries()],
      })
      if (this.#stopped) break
    }
  }
}
