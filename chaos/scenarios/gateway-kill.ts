/**
 * C2: kill -9 the gateway while requests are in flight, three times. Every 202 must land; what
 * got no answer (or a 5xx) is sent again with the same events, which must not double them.
 */
import { sleep } from '../load.ts'
import type { Scenario } from '../runner.ts'

export const gatewayKill: Scenario = {
  id: 'C2',
  title: 'kill -9 the gateway mid-request, ×3',
  gateway: true,
  async run(ctx) {
    for (const share of [0.2, 0.45, 0.7]) {
      await ctx.progress(share)
      // kill it with a request of its own in flight, not only between the load's requests
      const big = ctx.load.recent(200).map((m) => m.value.toString())
      const url = ctx.gateway?.url ?? ''
      const inFlight = fetch(`${url}/v1/sales`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sretl-dev-key' },
        body: `[${big.join(',')}]`,
      }).then(
        (r) => r.status,
        () => 0,
      )
      await sleep(2)
      await ctx.restartGateway('SIGKILL', 500)
      ctx.note(
        `gateway killed at ${Math.round(share * 100)} % (its own request: ${(await inFlight) || 'no answer'})`,
      )
    }
  },
}
