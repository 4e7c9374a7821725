/**
 * Scene 2: a store's tills lose the network and come back with a burst of held receipts. The
 * simulator's offline fault is a start-up setting, not a runtime command, so the demo plays the
 * store itself and uploads the held lines through the gateway, timed minutes in the past.
 */
import { expect, waitUntil, watch, type DemoStep } from './step.ts'
import { countLanded, demoLine, demoStore, sendToGateway } from './traffic.ts'

const ID = 'late-burst'
const MINUTES_OFFLINE = 15

export const lateBurstStep: DemoStep = {
  id: ID,
  title: 'A store goes offline and comes back with late events',
  story: `Store ${demoStore(0).store_id}'s tills were cut off for ${MINUTES_OFFLINE} minutes and now upload what they held at once.`,
  lookAt: [
    'Panel → Business: pick the store; its rolling 1-hour value is corrected for the minutes it was away.',
    'Prometheus alert SretlAggregatesLate stays quiet: late lines are folded into their own event-time windows.',
    `SQL: SELECT window_start, lines, net_minor FROM sales_agg_minute WHERE store_id = '${demoStore(0).store_id}' ORDER BY window_start DESC LIMIT 20;`,
  ],
  async run(ctx) {
    const store = demoStore(0)
    const prefix = `${ctx.runId}-late-`
    const n = ctx.pacing.lateEvents
    const start = Date.now() - MINUTES_OFFLINE * 60_000
    const spacing = Math.floor((MINUTES_OFFLINE * 60_000) / n)
    const lines = Array.from({ length: n }, (_, i) =>
      demoLine(store, `${prefix}${i}`, start + i * spacing, i),
    )
    const answer = await sendToGateway(ctx, lines)
    expect(
      answer.status === 202 && answer.body.accepted === n,
      ID,
      `the gateway to accept all ${n} held lines (202), got ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
    )
    const landed = await waitUntil(ctx, ID, `all ${n} late lines landed in sales_raw`, async () => {
      const count = await countLanded(ctx, prefix)
      return count.rows >= n ? count : undefined
    })
    expect(landed.rows === n && landed.distinct === n, ID, `${n} rows landed once each, got ${landed.rows}`)
    await watch(ctx, `store ${store.store_id} in the Business view`)
    return { store: store.store_id, sent: n, landed: landed.rows, minutesLate: MINUTES_OFFLINE }
  },
}
