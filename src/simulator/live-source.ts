/**
 * The store simulator's generator outside the simulator process, with its default settings (its
 * configuration without any variable set) and no faults: `sretl load`'s HTTP tills and the
 * benchmarks send what `sretl run simulator` sends.
 */
import { Random } from '../domain/random.ts'
import { referenceProducts, referenceStores } from '../domain/reference-data.ts'
import { loadConfig } from '../platform/config.ts'
import { simulatorSection } from './config.ts'
import { EventSource, NO_FAULTS } from './event-source.ts'
import { ReceiptGenerator } from './receipts.ts'
import { liveTimeline } from './timeline.ts'

/** The 200 reference stores and 5,000 products with the simulator's default receipt settings. */
export function defaultReceiptGenerator(seed: string): ReceiptGenerator {
  return new ReceiptGenerator({
    seed,
    stores: referenceStores(),
    products: referenceProducts(),
    settings: loadConfig({}, simulatorSection).receipts,
  })
}

/** Events at the moment they are taken (`clock`, default the live clock), as the running simulator makes them. */
export function liveSimulatorSource(seed: string, clock: () => number = Date.now): EventSource {
  return new EventSource({
    generator: defaultReceiptGenerator(seed),
    timeline: liveTimeline(clock),
    faults: NO_FAULTS,
    random: new Random(`${seed}/faults`),
  })
}
