/** What the lander has landed so far, for /status and the metrics: totals, latencies, freshness. */
import type { LandingResult } from './landing.ts'
import { LatencyWindow } from './latency-window.ts'
import { observeLanding, type LanderMetrics } from './metrics.ts'
import type { LanderDetails } from './status.ts'

type Totals = { -readonly [K in keyof LanderDetails['totals']]: LanderDetails['totals'][K] }

export class LandedStats {
  readonly totals: Totals = {
    rows: 0,
    duplicates: 0,
    deadLetters: 0,
    batches: 0,
    skippedLanded: 0,
    skippedInHand: 0,
  }
  /** Per partition, the Kafka timestamp of the last record landed (for lag in seconds). */
  readonly lastLandedProduceMs = new Map<number, number>()
  readonly eventLatency = new LatencyWindow()
  readonly produceLatency = new LatencyWindow()
  #lastCommitAt: number | undefined
  readonly #metrics: LanderMetrics

  constructor(metrics: LanderMetrics) {
    this.#metrics = metrics
  }

  get lastCommitAt(): number | undefined {
    return this.#lastCommitAt
  }

  record(result: LandingResult): void {
    for (const p of result.batch.partitions) this.lastLandedProduceMs.set(p.partition, p.lastProduceTimeMs)
    this.totals.rows += result.newRows.length
    this.totals.duplicates += result.duplicates
    this.totals.deadLetters += result.deadLetters.length
    this.totals.batches += 1
    this.#lastCommitAt = result.committedAt
    observeLanding(this.#metrics, result)
    for (const row of result.newRows) {
      this.eventLatency.add(result.committedAt - row.eventTimeMs)
      this.produceLatency.add(result.committedAt - row.produceTimeMs)
    }
  }
}
