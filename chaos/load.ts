/**
 * The steady load of a chaos scenario: the store simulator's generator at a fixed rate, most of it
 * produced straight to Kafka (as `sretl run simulator` does) and a share posted to the gateway.
 * Only what was acknowledged counts as expected — a Kafka acknowledgement or a gateway 202 and
 * its acceptedIds. A failed send (the gateway killed, answering 503/429) is retried with the same
 * events, which the API says is always safe.
 */
import type { KafkaConfig } from '../src/platform/base-config.ts'
import { createProducer, sendWithTimeout } from '../src/platform/kafka.ts'
import { topicNames } from '../src/platform/topics.ts'
import { liveSimulatorSource } from '../bench/simulator-events.ts'

export interface LoadOptions {
  readonly kafka: KafkaConfig
  /** At least this many events; the load goes on at `rate` until `finished()` too. */
  readonly events: number
  readonly finished: () => boolean
  readonly rate: number
  /** The gateway's base URL (undefined: everything straight to Kafka). */
  readonly gatewayUrl?: () => string | undefined
  /** Every n-th batch goes to the gateway. */
  readonly gatewayEvery?: number
  readonly seed: string
}

export interface LoadStats {
  readonly expected: ReadonlySet<string>
  readonly viaGateway: number
  /** Answers of the gateway other than 202, by status (0: no answer). */
  readonly gatewayRefusals: ReadonlyMap<number, number>
}

export interface RunningLoad {
  /** Events acknowledged so far. */
  readonly acknowledged: number
  /** Resolves when every event was acknowledged. */
  readonly done: Promise<LoadStats>
  /** Extra events to send (poison, duplicates) in the same stream, not counted as expected. */
  readonly extra: (messages: { key: Buffer; value: Buffer }[]) => void
  /** The last `n` events acknowledged by Kafka (to send again as duplicates). */
  readonly recent: (n: number) => { key: Buffer; value: Buffer }[]
}

const BATCH = 50

export function startLoad(options: LoadOptions): RunningLoad {
  const topic = topicNames(options.kafka).salesEvents
  const producer = createProducer(options.kafka, 'chaos-load')
  const source = liveSimulatorSource(options.seed)
  const expected = new Set<string>()
  const refusals = new Map<number, number>()
  const extras: { key: Buffer; value: Buffer }[][] = []
  let recent: { key: Buffer; value: Buffer }[] = []
  let viaGateway = 0
  let acknowledged = 0
  const toKafka = async (messages: { key: Buffer; value: Buffer }[]): Promise<void> => {
    for (;;) {
      try {
        await sendWithTimeout(
          producer,
          messages.map((m) => ({ topic, key: m.key, value: m.value })),
          30_000,
        )
        return
      } catch {
        await sleep(500)
      }
    }
  }
  const toGateway = async (url: string, values: Buffer[]): Promise<string[] | undefined> => {
    const body = `[${values.map((v) => v.toString()).join(',')}]`
    const response = await fetch(`${url}/v1/sales`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sretl-dev-key' },
      body,
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined)
    if (response?.status === 202) {
      return ((await response.json()) as { acceptedIds: string[] }).acceptedIds
    }
    const status = response?.status ?? 0
    refusals.set(status, (refusals.get(status) ?? 0) + 1)
    await response?.body?.cancel()
    return undefined
  }
  const done = (async (): Promise<LoadStats> => {
    const start = Date.now()
    let sent = 0
    let batchNo = 0
    try {
      while (sent < options.events || !options.finished()) {
        for (const extra of extras.splice(0)) await toKafka(extra)
        const due = Math.floor(((Date.now() - start) * options.rate) / 1000)
        if (due <= sent) {
          await sleep(10)
          continue
        }
        const messages = source.take(Math.min(BATCH, due - sent))
        if (messages.length === 0) break
        batchNo += 1
        const url = options.gatewayUrl?.()
        if (url && options.gatewayEvery && batchNo % options.gatewayEvery === 0) {
          // until a 202: a refused or unanswered request is sent again, the same events
          for (;;) {
            const ids = await toGateway(
              options.gatewayUrl?.() ?? url,
              messages.map((m) => m.value),
            )
            if (ids) {
              for (const id of ids) expected.add(id)
              viaGateway += ids.length
              break
            }
            await sleep(200)
          }
        } else {
          await toKafka(messages)
          for (const m of messages) expected.add(eventIdOf(m.value))
          recent = [...recent.slice(-500), ...messages]
        }
        sent += messages.length
        acknowledged = sent
      }
      for (const extra of extras.splice(0)) await toKafka(extra)
    } finally {
      await producer.close()
    }
    return { expected, viaGateway, gatewayRefusals: refusals }
  })()
  return {
    get acknowledged() {
      return acknowledged
    },
    done,
    extra: (messages) => extras.push(messages),
    recent: (n) => recent.slice(-n),
  }
}

export function eventIdOf(value: Buffer): string {
  return (JSON.parse(value.toString()) as { event_id: string }).event_id
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
