/**
 * Events for the benchmarks from the store simulator's own generator (src/simulator): the 200
 * reference stores and 5,000 products, local opening hours, Zipf-like SKU popularity, baskets,
 * promotions, returns and voids — what `sretl run simulator` sends, without faults. Same seed,
 * same events: the history starts at a fixed simulated instant (src/simulator/history.ts), so the
 * bytes do not depend on when the benchmark runs.
 */
import type { SaleLine } from '../src/domain/sale-line.ts'
import { historyMessages, planHistory, type HistoryPlan } from '../src/simulator/history.ts'
import { defaultReceiptGenerator as generatorFor, liveSimulatorSource } from '../src/simulator/live-source.ts'

export { liveSimulatorSource }

/**
 * The history a benchmark will load: `n` events of seed `seed` from the fixed simulated start.
 * Throws, saying why, when the size cannot be produced — call it before starting any work.
 */
export function planSimulatorHistory(n: number, seed: string): HistoryPlan {
  return planHistory(generatorFor(seed).weights, { seed, events: n })
}

/** Exactly the plan's events, in time order: quiet nights and busy evenings of each store's zone. */
export function* historySimulatorEvents(plan: HistoryPlan): Generator<SaleLine> {
  for (const message of historyMessages(plan, generatorFor(plan.seed))) {
    yield JSON.parse(message.value.toString('utf8')) as SaleLine
  }
}
