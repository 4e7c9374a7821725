/** What the simulator's unit tests build alike: a receipt generator over the reference chain. */
import { referenceProducts, referenceStores } from '../../src/domain/reference-data.ts'
import { ReceiptGenerator } from '../../src/simulator/receipts.ts'
import { DEFAULT_TRAFFIC } from '../../src/simulator/traffic.ts'

/** A generator with the simulator's default shares, deterministic per seed. */
export function referenceReceiptGenerator(seed: string): ReceiptGenerator {
  return new ReceiptGenerator({
    seed,
    stores: referenceStores(),
    products: referenceProducts(),
    settings: {
      zipfExponent: 1.1,
      returnShare: 0.03,
      voidShare: 0.01,
      anonymousShare: 0.5,
      promotionsPerWeek: 4,
      traffic: DEFAULT_TRAFFIC,
      loyaltyKey: 'k',
    },
  })
}
