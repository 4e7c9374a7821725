/**
 * A simulated history of exactly N events that is the same, byte for byte, whatever the wall
 * clock says (issue 20): it starts at a fixed simulated instant, its Poisson timeline is scaled
 * from the chain's actual traffic over the nominal span so that the span holds N events on
 * average, and it is not cut at the end of the span — it runs on until the Nth event exists, so
 * it can never run short. The benchmarks load it; same seed and size, same events.
 */
import { Random } from '../domain/random.ts'
import { NO_FAULTS, EventSource, type OutgoingMessage } from './event-source.ts'
import type { ReceiptGenerator } from './receipts.ts'
import { simulatedTimeline } from './timeline.ts'
import { weeklyMeanTraffic, type StoreWeights } from './traffic.ts'

/** Monday 2 November 2026, 00:00 UTC: every zone of the chain on standard time, no DST change. */
export const HISTORY_START_MS = Date.UTC(2026, 10, 2)
export const HISTORY_NOMINAL_MS = 20 * 3_600_000
/** Far more than any benchmark loads; above it the size is refused before any work. */
export const HISTORY_MAX_EVENTS = 1_000_000_000

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

export interface HistoryPlan {
  readonly seed: string
  readonly events: number
  readonly startMs: number
  /** The span that holds `events` on average; the history ends at its Nth event. */
  readonly nominalEndMs: number
  /** The timeline's scale: sale lines per simulated day on the weekly average. */
  readonly eventsPerDay: number
}

/**
 * Sale lines per simulated day that make [startMs, startMs + spanMs) hold `events` on average,
 * from the chain's traffic minute by minute (the timeline's own intensity).
 */
export function eventsPerDayFor(
  weights: StoreWeights,
  events: number,
  startMs: number,
  spanMs: number,
): number {
  const mean = weeklyMeanTraffic(weights, startMs)
  let relativeMinutes = 0
  for (let t = startMs; t < startMs + spanMs; t += MINUTE_MS) relativeMinutes += weights.total(t) / mean
  // expected lines = eventsPerDay / DAY_MS × MINUTE_MS × Σ (traffic / mean)
  return (events * DAY_MS) / (MINUTE_MS * relativeMinutes)
}

/** Checks the size and scales the timeline; throws, saying why, before anything is generated. */
export function planHistory(
  weights: StoreWeights,
  options: { seed: string; events: number; startMs?: number; nominalMs?: number },
): HistoryPlan {
  const { seed, events } = options
  if (!Number.isSafeInteger(events) || events < 1 || events > HISTORY_MAX_EVENTS) {
    throw new RangeError(
      `a simulated history holds a whole number of events from 1 to ${HISTORY_MAX_EVENTS.toLocaleString('en-US')}; got ${String(events)}`,
    )
  }
  const startMs = options.startMs ?? HISTORY_START_MS
  const nominalMs = options.nominalMs ?? HISTORY_NOMINAL_MS
  if (!Number.isInteger(startMs) || !Number.isInteger(nominalMs) || nominalMs < MINUTE_MS) {
    throw new RangeError(
      'a simulated history needs a whole-millisecond start and a span of at least a minute',
    )
  }
  const eventsPerDay = eventsPerDayFor(weights, events, startMs, nominalMs)
  if (!Number.isFinite(eventsPerDay) || eventsPerDay <= 0) {
    throw new RangeError(
      `the chain has no traffic between ${new Date(startMs).toISOString()} and ${new Date(startMs + nominalMs).toISOString()} (every store closed), so no history can be sized there`,
    )
  }
  return { seed, events, startMs, nominalEndMs: startMs + nominalMs, eventsPerDay }
}

/**
 * Exactly `plan.events` messages of the plan's history, in time order, without faults. The
 * generator must be seeded with `plan.seed` (the timeline and faults are forked from it here).
 */
export function* historyMessages(plan: HistoryPlan, generator: ReceiptGenerator): Generator<OutgoingMessage> {
  const root = new Random(plan.seed)
  const source = new EventSource({
    generator,
    timeline: simulatedTimeline({
      startMs: plan.startMs,
      // not cut at the nominal end: the Poisson count varies, the size must not
      endMs: Number.POSITIVE_INFINITY,
      eventsPerDay: plan.eventsPerDay,
      weights: generator.weights,
      random: root.fork('timeline'),
    }),
    faults: NO_FAULTS,
    random: root.fork('faults'),
  })
  let taken = 0
  while (taken < plan.events) {
    const chunk = source.take(Math.min(5000, plan.events - taken))
    // an endless timeline with traffic in every week always has a next receipt
    if (chunk.length === 0)
      throw new Error(`the simulated history ended after ${taken} of ${plan.events} events`)
    yield* chunk
    taken += chunk.length
  }
}
