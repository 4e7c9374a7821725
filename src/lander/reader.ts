/**
 * The reader: consumes the topic (re-created after a Kafka failure), drops records already landed
 * or already in hand, decodes each and adds it to the batcher — waiting while the batch being
 * filled is full, which is the backpressure. It closes the batcher when it ends.
 */
import { MessagesStreamFallbackModes, MessagesStreamModes, type MessagesStream } from '@platformatic/kafka'
import { errorMessage } from '../platform/errors.ts'
import type { BytesConsumer } from '../platform/kafka.ts'
import { backoffMs, sleep } from '../platform/lifecycle.ts'
import type { Logger } from '../platform/logger.ts'
import type { Batcher } from './batcher.ts'
import type { LanderConfig } from './config.ts'
import type { FetchGate } from './fetch-gate.ts'
import type { LanderState } from './lander-state.ts'
import type { LanderMetrics } from './metrics.ts'
import type { PartitionTracker } from './partition-tracker.ts'
import { decodeRecord } from './records.ts'
import type { SeekTarget } from './seeker.ts'

export type BytesStream = MessagesStream<Buffer, Buffer, string, string>

/** The reader lets I/O run after this many records (decoding one takes a few microseconds). */
const YIELD_EVERY_RECORDS = 256

export interface ReaderDeps {
  readonly consumer: Pick<BytesConsumer, 'consume'>
  readonly topic: string
  readonly fetch: LanderConfig['fetch']
  readonly retry: LanderConfig['retry']
  readonly tracker: PartitionTracker
  readonly batcher: Batcher
  readonly gate: FetchGate
  readonly state: LanderState
  readonly metrics: Pick<LanderMetrics, 'retries'>
  readonly logger: Logger
  readonly clock: () => number
  readonly signal: AbortSignal
  /** The stream's 'offsets' event: a group join, before the first fetch (seeker.ts). */
  readonly onOffsets: (target: SeekTarget) => void
  /** Counts of records dropped on sight. */
  readonly skipped: { skippedLanded: number; skippedInHand: number }
}

export interface Reader {
  /** Runs until the lander stops. */
  run(): Promise<void>
  /** The stream being read, if any (stop() closes it). */
  readonly stream: BytesStream | undefined
}

export function createReader(deps: ReaderDeps): Reader {
  const { tracker, batcher, state, logger } = deps
  let stream: BytesStream | undefined

  const open = async (): Promise<BytesStream> => {
    const created = await deps.consumer.consume({
      topics: [deps.topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      maxBytes: deps.fetch.maxBytes,
      highWaterMark: deps.fetch.maxRecords,
    })
    created.on('offsets', () => deps.onOffsets(created))
    return created
  }

  /** Reads one stream until it ends or the batcher is closed. */
  const drain = async (current: BytesStream): Promise<void> => {
    let sinceYield = 0
    for await (const message of current) {
      if (state.stopping) continue
      const decision = tracker.admit(message.partition, message.offset)
      if (decision === 'landed') deps.skipped.skippedLanded += 1
      if (decision === 'in-hand') deps.skipped.skippedInHand += 1
      if (decision !== 'take') continue
      if (!(await batcher.add(decodeRecord(message, deps.clock())))) break
      // records already buffered resolve in microtasks only; without a turn of the event loop
      // the writer's PostgreSQL replies would wait until a whole batch is decoded
      if (++sinceYield >= YIELD_EVERY_RECORDS) {
        sinceYield = 0
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }
  }

  const run = async (): Promise<void> => {
    let attempt = 0
    while (!state.stopping) {
      try {
        const current = await open()
        if (state.stopping) {
          // stop() came while joining: it could not close a stream that did not exist yet
          await current.close().catch(() => undefined)
          break
        }
        stream = current
        deps.gate.attach(current)
        attempt = 0
        await drain(current)
        if (state.stopping) break
        logger.warn('the Kafka stream ended; opening a new one')
      } catch (err) {
        if (state.stopping) break
        attempt += 1
        deps.metrics.retries.inc({ reason: 'kafka' })
        state.recordError('KAFKA_UNAVAILABLE', `consuming failed: ${errorMessage(err)}`)
        logger.warn({ err, attempt }, 'consuming from Kafka failed; retrying')
      }
      state.streamLost()
      stream = undefined
      deps.gate.detach()
      await sleep(backoffMs(Math.max(1, attempt), deps.retry.baseMs, deps.retry.maxMs), deps.signal)
    }
    batcher.close()
  }

  return {
    run,
    get stream() {
      return stream
    },
  }
}
