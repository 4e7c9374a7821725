/** Scene 7: `sretl verify` — every aggregate table equals its SQL oracle over sales_raw. */
import { verifyAggregates, type VerifyResult } from '../../aggregates/verify.ts'
import { waitUntil, type DemoStep } from './step.ts'

const ID = 'verify'

export const verifyStep: DemoStep = {
  id: ID,
  title: 'sretl verify: the aggregates match their oracle',
  story:
    'After kills, late lines and replays, every aggregate is recomputed from sales_raw and compared key by key.',
  lookAt: [
    'Terminal: npx sretl verify — "match" on every row.',
    'Panel → Business: the figures you saw are the ones the oracle computes.',
  ],
  async run(ctx) {
    let last: readonly VerifyResult[] = []
    // keys still in a publish cycle are "in flight", not compared; a difference is retried until the
    // step's deadline because the rolling horizon may move between the table's read and the oracle's
    const results = await waitUntil(ctx, ID, 'every aggregate to match its oracle', async () => {
      last = await verifyAggregates(ctx.reader, { limit: 5 })
      if (last.some((r) => r.differenceCount > 0)) {
        const bad = last
          .filter((r) => r.differenceCount > 0)
          .map((r) => `${r.aggregate}: ${r.differenceCount}`)
        throw new Error(`keys differ in ${bad.join(', ')}`)
      }
      return last
    })
    return {
      aggregates: results.length,
      matched: results.filter((r) => r.differenceCount === 0).length,
      differing: results.reduce((sum, r) => sum + r.differenceCount, 0),
      inFlight: results.reduce((sum, r) => sum + r.inFlightCount, 0),
    }
  },
}
