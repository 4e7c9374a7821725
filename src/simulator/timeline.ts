/**
 * When receipts happen. Live: now, by the injected clock (the pacer decides how many per second).
 * Simulated: a clock of its own that walks through N days of history, with receipts arriving as
 * a Poisson process whose intensity follows the chain's traffic (quiet nights, busy evenings),
 * scaled to a number of events per simulated day — as fast as the pacer lets it, for backfills.
 */
import type { Random } from '../domain/random.ts'
import { MEAN_LINES_PER_RECEIPT } from './receipts.ts'
import { weeklyMeanTraffic, type StoreWeights } from './traffic.ts'

export interface Timeline {
  readonly mode: 'live' | 'simulated'
  /** Time of the next receipt, or undefined once a simulated history is complete. */
  next(): number | undefined
  /** Where the timeline is (simulated: the simulated clock; live: now). */
  readonly position: number
  /** 0…1 of the history written (live: 0). */
  readonly progress: number
}

export function liveTimeline(clock: () => number): Timeline {
  return {
    mode: 'live',
    next: clock,
    get position() {
      return clock()
    },
    progress: 0,
  }
}

export interface SimulatedTimelineOptions {
  readonly startMs: number
  readonly endMs: number
  /** Sale lines per simulated day on average (the receipts' lines add up to about this). */
  readonly eventsPerDay: number
  readonly weights: StoreWeights
  readonly random: Random
}

const MINUTE_MS = 60_000

export function simulatedTimeline(options: SimulatedTimelineOptions): Timeline {
  const { startMs, endMs, weights, random } = options
  const mean = weeklyMeanTraffic(weights, startMs)
  const receiptsPerMs = options.eventsPerDay / MEAN_LINES_PER_RECEIPT / 86_400_000
  let position = startMs
  return {
    mode: 'simulated',
    next() {
      // thinning-free: the intensity is constant within a minute, so step minute by minute
      while (position < endMs) {
        const intensity = mean > 0 ? (weights.total(position) / mean) * receiptsPerMs : 0
        const minuteEnd = (Math.floor(position / MINUTE_MS) + 1) * MINUTE_MS
        if (intensity <= 0) {
          position = minuteEnd
          continue
        }
        const candidate = position + random.exponential(1 / intensity)
        if (candidate < minuteEnd) {
          position = candidate
          return position < endMs ? Math.floor(position) : undefined
        }
        // memorylessness: restarting the draw at the minute boundary keeps the process exact
        position = minuteEnd
      }
      return undefined
    },
    get position() {
      return Math.min(position, endMs)
    },
    get progress() {
      return Math.min(1, (position - startMs) / (endMs - startMs))
    },
  }
}
