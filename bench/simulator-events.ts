/**
 * Events for the benchmarks from the store simulator's own generator (src/simulator): the 200
 * reference stores and 5,000 products, local opening hours, Zipf-like SKU popularity, baskets,
 * promotions, returns and voids — what `sretl run simulator` sends, without faults. Same seed,
 * same events.
 */
import { Random } from '../src/domain/random.ts'
import { referenceProducts, referenceStores } from '../src/domain/reference-data.ts'
import type { SaleLine } from '../src/domain/sale-line.ts'
import { loadConfig } from '../src/platform/config.ts'
import { simulatorSection } from '../src/simulator/config.ts'
import { EventSource, NO_FAULTS } from '../src/simulator/event-source.ts'
import { ReceiptGenerator } from '../src/simulator/receipts.ts'
import { liveTimeline, simulatedTimeline } from '../src/simulator/timeline.ts'

/** The simulator's default settings (its configuration without any variable set). */
function generatorFor(seed: string): ReceiptGenerator {
  return new ReceiptGenerator({
    seed,
    stores: referenceStores(),
    products: referenceProducts(),
    settings: loadConfig({}, simulatorSection).receipts,
  })
}

/** Events at the moment they are taken (the live clock), as the running simulator makes them. */
export function liveSimulatorSource(seed: string): EventSource {
  return new EventSource({
    generator: generatorFor(seed),
    timeline: liveTimeline(Date.now),
    faults: NO_FAULTS,
    random: new Random(`${seed}/faults`),
  })
}

/**
 * `n` events of history between `fromMs` and `toMs` (the simulator's simulated clock): the
 * chain's traffic over those hours, so quiet nights and busy evenings of each store's time zone.
 */
export function* historySimulatorEvents(
  n: number,
  options: { seed: string; fromMs: number; toMs: number },
): Generator<SaleLine> {
  const generator = generatorFor(options.seed)
  const root = new Random(options.seed)
  // more than n per span, so the history is not exhausted before n events: the 20 hours before
  // now can be quieter than the average day by more than a fifth (nights, a weekday's trough)
  const eventsPerDay = Math.ceil(((n * 86_400_000) / (options.toMs - options.fromMs)) * 1.6)
  const source = new EventSource({
    generator,
    timeline: simulatedTimeline({
      startMs: options.fromMs,
      endMs: options.toMs,
      eventsPerDay,
      weights: generator.weights,
      random: root.fork('timeline'),
    }),
    faults: NO_FAULTS,
    random: root.fork('faults'),
  })
  let taken = 0
  while (taken < n) {
    const chunk = source.take(Math.min(5000, n - taken))
    if (chunk.length === 0) throw new Error(`the simulated history ended after ${taken} of ${n} events`)
    for (const message of chunk) yield JSON.parse(message.value.toString('utf8')) as SaleLine
    taken += chunk.length
  }
}
