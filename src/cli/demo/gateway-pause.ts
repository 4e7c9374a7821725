/** Scene 5: an operator pauses intake; tills get 503 with Retry-After and nothing is written. */
import { control } from './context.ts'
import { expect, waitUntil, type DemoStep } from './step.ts'
import { countLanded, demoLine, demoStore, sendToGateway } from './traffic.ts'

const ID = 'gateway-pause'

export const gatewayPauseStep: DemoStep = {
  id: ID,
  title: 'The gateway is paused: tills get 503 with Retry-After',
  story:
    "An operator pauses the gateway's intake (say, for database maintenance); tills are told when to retry.",
  lookAt: [
    'Panel → Controls: the gateway shows PAUSED with the reason; Audit log: the pause and the resume.',
    'Prometheus alert SretlIntakeStopped if intake stays stopped; sretl_gateway_paused is 1 meanwhile.',
    'curl -i the gateway: HTTP 503, Retry-After, {"code":"GATEWAY_PAUSED"}.',
  ],
  async run(ctx) {
    const paused = await control(ctx, 'POST', '/api/v1/components/gateway/pause', { reason: 'sretl demo' })
    expect(paused.status === 200, ID, `the gateway to pause, got ${paused.status}`)
    const prefix = `${ctx.runId}-pause-`
    const line = demoLine(demoStore(3), `${prefix}0`, Date.now(), 0)
    let refused
    try {
      refused = await sendToGateway(ctx, [line])
    } finally {
      const resumed = await control(ctx, 'POST', '/api/v1/components/gateway/resume')
      expect(resumed.status === 200, ID, `the gateway to resume, got ${resumed.status}`)
    }
    expect(
      refused.status === 503 && refused.body.code === 'GATEWAY_PAUSED' && refused.retryAfter !== null,
      ID,
      `503 GATEWAY_PAUSED with Retry-After while paused, got ${refused.status} ${String(refused.body.code)}`,
    )
    // the till retries after Retry-After and the line lands once
    const retried = await sendToGateway(ctx, [line])
    expect(
      retried.status === 202,
      ID,
      `the retried line to be accepted after the resume, got ${retried.status}`,
    )
    const landed = await waitUntil(ctx, ID, 'the retried line landed', async () => {
      const count = await countLanded(ctx, prefix)
      return count.rows >= 1 ? count.rows : undefined
    })
    return {
      status: refused.status,
      code: String(refused.body.code),
      retryAfter: refused.retryAfter ?? '',
      retriedStatus: retried.status,
      landedAfterRetry: landed,
    }
  },
}
