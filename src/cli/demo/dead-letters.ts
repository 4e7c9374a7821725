/**
 * Scene 3: poison reaches the dead-letter topic, is inspected and replayed. The poison is a SALE
 * that names an original receipt: valid by the v1 contract (the gateway takes it), refused by the
 * database's CHECK — so it travels the whole path and is dead-lettered by the lander. Replayed
 * without a fix it fails again, and the replay headers make that visible instead of a loop.
 */
import { control, type DemoContext } from './context.ts'
import { expect, waitUntil, watch, type DemoStep } from './step.ts'
import { demoLine, demoStore, sendToGateway } from './traffic.ts'

const ID = 'dead-letters'
const REASON = 'EVENT_DB_REJECTED'

interface Held {
  readonly partition: number
  readonly offset: string
  readonly key: string
  readonly replayCount: number
}

async function reasonCount(ctx: DemoContext): Promise<number> {
  const body = (await control(ctx, 'GET', '/api/v1/dead-letters')).body
  const reasons = (body.reasons ?? []) as { reason: string; count: number }[]
  return reasons.find((r) => r.reason === REASON)?.count ?? 0
}

async function heldOf(ctx: DemoContext, key: string): Promise<Held[]> {
  const body = (await control(ctx, 'GET', `/api/v1/dead-letters/messages?reason=${REASON}&limit=500`)).body
  return ((body.messages ?? []) as Held[]).filter((m) => m.key === key)
}

export const deadLettersStep: DemoStep = {
  id: ID,
  title: 'Poison events reach the dead-letter topic, are inspected and replayed',
  story: 'A till sends SALE lines that name an "original receipt" — something only a RETURN may do.',
  lookAt: [
    "Panel → Dead letters: the EVENT_DB_REJECTED reason, one message's headers (error.code, error.message) and bytes.",
    'Prometheus: sretl_lander_dlq_total{code="EVENT_DB_REJECTED"}; alert SretlDeadLettersHigh if it keeps coming.',
    'Panel → Audit log: the replay, who gave it and when.',
  ],
  async run(ctx) {
    const store = demoStore(1)
    const n = ctx.pacing.poisonEvents
    const before = await reasonCount(ctx)
    const previous = new Set((await heldOf(ctx, store.store_id)).map((m) => `${m.partition}/${m.offset}`))
    const poison = Array.from({ length: n }, (_, i) => ({
      ...demoLine(store, `${ctx.runId}-poison-${i}`, Date.now(), i),
      original_receipt_id: 'RC-elsewhere',
    }))
    const sent = await sendToGateway(ctx, poison)
    expect(
      sent.status === 202,
      ID,
      `the gateway to accept the ${n} contract-valid poison lines, got ${sent.status}`,
    )
    const ours = await waitUntil(
      ctx,
      ID,
      `${n} new ${REASON} dead letters from store ${store.store_id}`,
      async () => {
        const fresh = (await heldOf(ctx, store.store_id)).filter(
          (m) => m.replayCount === 0 && !previous.has(`${m.partition}/${m.offset}`),
        )
        return fresh.length >= n ? fresh.slice(0, n) : undefined
      },
    )
    const first = ours[0]
    if (!first) throw new Error('no dead letter held')
    const detail = (
      await control(ctx, 'GET', `/api/v1/dead-letters/messages/${first.partition}/${first.offset}`)
    ).body
    expect(
      typeof detail.text === 'string' && detail.text.includes(ctx.runId),
      ID,
      "the inspected dead letter to hold the original bytes of the demo's line",
    )
    ctx.ui.line(
      `    inspected ${first.partition}/${first.offset}: ${(typeof detail.message === 'string' ? detail.message : '').slice(0, 120)}`,
    )
    let replayed = 0
    for (const m of ours) {
      const answer = await control(ctx, 'POST', '/api/v1/dead-letters/replay', {
        partition: m.partition,
        offset: m.offset,
      })
      expect(
        answer.status === 200,
        ID,
        `the replay of ${m.partition}/${m.offset} to be applied, got ${answer.status}`,
      )
      replayed += Number(answer.body.replayed ?? 0)
    }
    // the fault is still there: each replayed line comes back once, marked as a replay
    const back = await waitUntil(
      ctx,
      ID,
      `the ${n} replayed lines dead-lettered again with replay.count 1`,
      async () => {
        const again = (await heldOf(ctx, store.store_id)).filter(
          (m) => m.replayCount === 1 && !previous.has(`${m.partition}/${m.offset}`),
        )
        return again.length >= n ? again.length : undefined
      },
    )
    await watch(ctx, 'the Dead letters section')
    const counted = (await reasonCount(ctx)) - before
    return { sent: n, deadLettered: ours.length, replayed, backAfterReplay: back, reasonCountGrewBy: counted }
  },
}
