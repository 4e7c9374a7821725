/** Scene 6: a rate past the safe limit is refused, audited, and changes nothing. */
import { component, control } from './context.ts'
import { expect, type DemoStep } from './step.ts'

const ID = 'rate-cap'

export const rateCapStep: DemoStep = {
  id: ID,
  title: 'A rate raised past the safe limit is refused',
  story: 'Someone asks the simulator for more than the cap allows, even with --confirm.',
  lookAt: [
    "Panel → Controls: the rate slider's safe range; Audit log: the refused command and why.",
    'Prometheus: sretl_simulator_rate_refused_total; sretl audit --result refused in the terminal.',
  ],
  async run(ctx) {
    const limits = (await control(ctx, 'GET', '/api/v1/limits')).body
    const cap = Number(limits.effectiveCapPerSec)
    expect(
      Number.isFinite(cap) && cap > 0,
      ID,
      `GET /api/v1/limits to name the effective cap, got ${String(limits.effectiveCapPerSec)}`,
    )
    const before = Number((await component(ctx, 'simulator')).details.baseRatePerSec ?? 0)
    const asked = cap * 2
    const answer = await control(ctx, 'POST', '/api/v1/rate', { ratePerSec: asked, confirm: true })
    expect(
      answer.status === 422 && answer.body.code === 'RATE_ABOVE_CAP',
      ID,
      `422 RATE_ABOVE_CAP for ${asked}/s above the cap of ${cap}/s, got ${answer.status} ${String(answer.body.code)}`,
    )
    const after = Number((await component(ctx, 'simulator')).details.baseRatePerSec ?? 0)
    expect(after === before, ID, `the rate to stay at ${before}/s, it is ${after}/s`)
    return {
      asked,
      cap,
      status: answer.status,
      code: String(answer.body.code),
      rateBefore: before,
      rateAfter: after,
    }
  },
}
