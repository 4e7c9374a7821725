/** Scene 1: the simulator's traffic ramps up and the lander keeps pace. */
import { component, control, overview, type DemoContext } from './context.ts'
import { expect, waitUntil, watch, type DemoStep } from './step.ts'

const ID = 'ramp'

export const rampStep: DemoStep = {
  id: ID,
  title: 'Traffic ramps up',
  story: 'The store simulator is asked for more sale lines a second; the lander lands them as they come.',
  lookAt: [
    'Panel → Overview: the "events in" and "rows landed" charts climb together; lag stays near 0.',
    'Prometheus: sretl_simulator_actual_rate_per_second, rate(sretl_lander_rows_total[1m]).',
  ],
  async run(ctx: DemoContext) {
    const before = Number((await component(ctx, 'simulator')).details.baseRatePerSec ?? 0)
    const target = ctx.pacing.rampRatePerSec
    // the demo asks for a jump on purpose: confirm it as an operator would after reading the warning
    const answer = await control(ctx, 'POST', '/api/v1/rate', { ratePerSec: target, confirm: true })
    expect(
      answer.status === 200,
      ID,
      `the rate change to ${target}/s to be applied, got HTTP ${answer.status}`,
    )
    const actual = await waitUntil(ctx, ID, `the simulator to reach about ${target} events/s`, async () => {
      const rate = Number((await component(ctx, 'simulator')).details.actualRatePerSec ?? 0)
      return rate >= target * 0.6 ? rate : undefined
    })
    const landed = await waitUntil(ctx, ID, 'the lander to land rows at the new rate', async () => {
      const rows = (await overview(ctx)).point.rowsLanded ?? 0
      return rows > 0 ? rows : undefined
    })
    await watch(ctx, 'the charts climb')
    return {
      rateBefore: before,
      rateAfter: target,
      actualPerSec: Math.round(actual),
      rowsLandedPerSec: Math.round(landed),
    }
  },
}
