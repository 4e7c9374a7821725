/**
 * HTTP tills for `sretl load`: the simulator's generator posted to the gateway at a paced rate,
 * with a bounded number of requests in flight. Each answer is counted by status and each round
 * trip timed by batch size (a bounded reservoir per size, so hours of soak keep flat memory).
 */
import { liveSimulatorSource } from '../../simulator/live-source.ts'
import { batchBodies, gatewayPoster } from './gateway-client.ts'
import type { TillLatency } from './slo-report.ts'

export interface TillsOptions {
  readonly gatewayUrl: string
  readonly apiKey: string
  readonly seed: string
  /** Requests in flight at most; a due request beyond it is not sent and counted as skipped. */
  readonly maxInFlight: number
  readonly tickMs?: number
}

export interface TillStats {
  readonly byStatus: Readonly<Record<string, number>>
  readonly eventsAccepted: number
  /** Requests the pacing owed but the in-flight bound held back (the gateway answered too slowly). */
  readonly skipped: number
  readonly latencyMs: readonly TillLatency[]
}

export interface Tills {
  /** Post `eventsPerSec` in requests of `batch` events from now on (0 stops posting). */
  pace(eventsPerSec: number, batch: number): void
  stats(): TillStats
  /** Stops posting and waits for the requests in flight. */
  stop(): Promise<void>
}

const RESERVOIR = 20_000

/** A uniform sample of at most RESERVOIR values (Vitter's algorithm R). */
class Reservoir {
  readonly values: number[] = []
  seen = 0
  add(value: number): void {
    this.seen++
    if (this.values.length < RESERVOIR) this.values.push(value)
    else {
      const slot = Math.floor(Math.random() * this.seen)
      if (slot < RESERVOIR) this.values[slot] = value
    }
  }
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN
}

export function startTills(options: TillsOptions): Tills {
  const source = liveSimulatorSource(options.seed)
  const poster = gatewayPoster(options.gatewayUrl, options.maxInFlight, options.apiKey)
  const byStatus = new Map<number, number>()
  const latency = new Map<number, Reservoir>()
  const inFlight = new Set<Promise<void>>()
  let rate = 0
  let batch = 1
  let credit = 0
  let skipped = 0
  let accepted = 0
  let last = performance.now()

  const send = (size: number): void => {
    const body = batchBodies(
      source.take(size).map((m) => m.value),
      size,
    )[0]
    if (body === undefined) return
    const started = performance.now()
    const request = poster
      .post(body)
      .then(
        (status) => {
          if (status === 202) accepted += size
          return status
        },
        () => 0,
      )
      .then((status) => {
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
        const reservoir = latency.get(size) ?? new Reservoir()
        reservoir.add(performance.now() - started)
        latency.set(size, reservoir)
      })
      .finally(() => inFlight.delete(request))
    inFlight.add(request)
  }

  const timer = setInterval(() => {
    const now = performance.now()
    credit += ((now - last) / 1000) * (rate / batch)
    last = now
    while (credit >= 1) {
      credit--
      if (inFlight.size >= options.maxInFlight) skipped++
      else send(batch)
    }
  }, options.tickMs ?? 20)

  return {
    pace(eventsPerSec, size) {
      rate = eventsPerSec
      batch = size
      credit = Math.min(credit, 1)
    },
    stats() {
      return {
        byStatus: Object.fromEntries([...byStatus].map(([status, n]) => [String(status), n])),
        eventsAccepted: accepted,
        skipped,
        latencyMs: [...latency].map(([size, reservoir]) => {
          const sorted = [...reservoir.values].sort((a, b) => a - b)
          return {
            batch: size,
            requests: reservoir.seen,
            p50: quantile(sorted, 0.5),
            p95: quantile(sorted, 0.95),
            p99: quantile(sorted, 0.99),
          }
        }),
      }
    },
    async stop() {
      clearInterval(timer)
      rate = 0
      await Promise.all([...inFlight])
      poster.close()
    },
  }
}
