/**
 * The tour: the scenes in order, each narrated (what happens, where to look), run, and its
 * result printed as one `result <step>: key=value …` line. The simulator's rate is put back at the
 * end, whatever happened, so the demo leaves the stack as it found it.
 */
import { createInterface } from 'node:readline/promises'
import { component, control, type DemoContext } from './context.ts'
import { deadLettersStep } from './dead-letters.ts'
import { gatewayPauseStep } from './gateway-pause.ts'
import { landerRestartStep } from './lander-restart.ts'
import { lateBurstStep } from './late-burst.ts'
import { rampStep } from './ramp.ts'
import { rateCapStep } from './rate-cap.ts'
import { waitUntil, type DemoStep, type StepFacts } from './step.ts'
import { verifyStep } from './verify.ts'

export const DEMO_STEPS: readonly DemoStep[] = [
  rampStep,
  lateBurstStep,
  deadLettersStep,
  landerRestartStep,
  gatewayPauseStep,
  rateCapStep,
  verifyStep,
]

export function formatFacts(facts: StepFacts): string {
  return Object.entries(facts)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')
}

async function waitForEnter(prompt: string): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    await rl.question(prompt)
  } finally {
    rl.close()
  }
}

export interface TourOptions {
  readonly stepByStep: boolean
  readonly only?: readonly string[]
}

export async function runTour(ctx: DemoContext, options: TourOptions): Promise<Record<string, StepFacts>> {
  const steps = DEMO_STEPS.filter((s) => !options.only || options.only.includes(s.id))
  // right after `sretl up` prints Ready the control service may still be reading its first statuses
  const simulator = await waitUntil(
    ctx,
    'start',
    'the control service to answer and see the simulator',
    async () => {
      const found = await component(ctx, 'simulator')
      return found.reachable ? found : undefined
    },
  )
  const startRate = Number(simulator.details.baseRatePerSec ?? 0)
  const results: Record<string, StepFacts> = {}
  try {
    for (const [i, step] of steps.entries()) {
      ctx.ui.line()
      ctx.ui.line(`── Step ${i + 1}/${steps.length}: ${step.title} [${step.id}]`)
      ctx.ui.line(`   ${step.story}`)
      ctx.ui.line('   Look at:')
      for (const hint of step.lookAt) ctx.ui.line(`    • ${hint}`)
      if (options.stepByStep) await waitForEnter('   Press Enter to run this step… ')
      const started = Date.now()
      const facts = await step.run(ctx)
      results[step.id] = facts
      ctx.ui.line(`   ✓ ${step.id} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      ctx.ui.line(`result ${step.id}: ${formatFacts(facts)}`)
    }
  } finally {
    await control(ctx, 'POST', '/api/v1/rate', { ratePerSec: startRate, confirm: true }).catch(
      () => undefined,
    )
  }
  return results
}
