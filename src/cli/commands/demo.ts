import { SretlError } from '../../platform/errors.ts'
import { defineCommand } from '../command.ts'
import { createDemoContext } from '../demo/context.ts'
import { DEMO_STEPS, runTour } from '../demo/story.ts'

const STEP_IDS = DEMO_STEPS.map((s) => s.id)

export const demoCommand = defineCommand({
  name: 'demo',
  summary:
    'A guided, narrated tour of the running stack: ramp, late data, dead letters, a lander kill, a pause, the cap, verify.',
  description:
    'Runs a scripted story against the stack `sretl up` runs, through the control service (authenticated like ' +
    "`sretl pause`: SRETL_TOKEN, SRETL_TOKEN_FILE or the first-run admin token) and the gateway (the stack's key). " +
    'Each step says what happens and where to look (panel section, Prometheus alert, SQL), then waits for the ' +
    'effect — polling, with a timeout — and prints one `result <step>: …` line with what it proved. Steps: ' +
    `${STEP_IDS.join(', ')}. A step that does not see its effect stops the tour [DEMO_STEP_FAILED]. The ` +
    "simulator's rate is put back at the end. It kills the lander (sretl up restarts it), so run it on a " +
    'demo or laptop stack, not on one that others rely on.',
  options: {
    step: { type: 'boolean', description: 'Wait for Enter before each step.' },
    fast: { type: 'boolean', description: 'Small numbers, no time to watch: for CI.' },
    only: {
      type: 'string',
      valueName: 'steps',
      description: `Run only these steps (comma-separated: ${STEP_IDS.join(', ')}).`,
    },
    'api-key': {
      type: 'string',
      valueName: 'key',
      description: "The gateway API key to send with (default: the stack's own, or the development key).",
    },
  },
  maxPositionals: 0,
  examples: [
    'sretl demo',
    'sretl demo --step',
    'sretl demo --fast',
    'sretl demo --only gateway-pause,rate-cap',
  ],
  async run({ env, ui, values }) {
    const only = typeof values.only === 'string' ? values.only.split(',').map((s) => s.trim()) : undefined
    for (const id of only ?? []) {
      if (!STEP_IDS.includes(id))
        throw new SretlError('USAGE', `unknown step ${id}; choose from ${STEP_IDS.join(', ')}`)
    }
    const ctx = createDemoContext(env, ui, {
      fast: values.fast === true,
      ...(typeof values['api-key'] === 'string' ? { apiKey: values['api-key'] } : {}),
    })
    ui.line(`sretl demo — a guided tour of the running stack (run ${ctx.runId}; its receipts start with it)`)
    ui.line(`Control panel: ${ctx.access.urls.control}/ · gateway: ${ctx.gatewayUrl}`)
    try {
      const started = Date.now()
      const results = await runTour(ctx, { stepByStep: values.step === true, ...(only ? { only } : {}) })
      ui.line()
      ui.line(
        `Demo complete: ${Object.keys(results).length} step(s) passed in ${((Date.now() - started) / 1000).toFixed(1)} s. Labs to try next: docs/labs/README.md`,
      )
    } finally {
      await ctx.close()
    }
  },
})
