/**
 * Scene 4: the lander is killed with SIGKILL in the middle of a stream and `sretl up` brings it
 * back; the count of the demo's rows proves nothing was lost and nothing doubled. A lander not run
 * by `sretl up` (no pid to kill) is paused and resumed through the control service instead.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { readStackState } from '../../platform/stack-state.ts'
import { component, control, type DemoContext } from './context.ts'
import { expect, waitUntil, watch, type DemoStep } from './step.ts'
import { countLanded, demoLine, demoStore, sendToGateway } from './traffic.ts'

const ID = 'lander-restart'
const BATCH = 20

function landerPid(ctx: DemoContext): number | undefined {
  return readStackState(ctx.runDir)?.services.find((s) => s.name === 'lander')?.pid
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Sends `n` lines in small batches, calling `midway` once half are in Kafka. */
async function stream(
  ctx: DemoContext,
  prefix: string,
  n: number,
  midway: () => Promise<void>,
): Promise<void> {
  const store = demoStore(2)
  let interrupted = false
  for (let sent = 0; sent < n; sent += BATCH) {
    if (!interrupted && sent >= n / 2) {
      interrupted = true
      await midway()
    }
    const size = Math.min(BATCH, n - sent)
    const lines = Array.from({ length: size }, (_, i) =>
      demoLine(store, `${prefix}${sent + i}`, Date.now(), sent + i),
    )
    const answer = await sendToGateway(ctx, lines)
    expect(
      answer.status === 202,
      ID,
      `the gateway to accept every batch while the lander is down, got ${answer.status}`,
    )
    await sleep(50)
  }
}

async function interruptLander(
  ctx: DemoContext,
): Promise<{ how: string; pidBefore: number; pidAfter: number }> {
  const pid = landerPid(ctx)
  if (pid === undefined || !isAlive(pid)) {
    const paused = await control(ctx, 'POST', '/api/v1/components/lander/pause', { reason: 'sretl demo' })
    expect(paused.status === 200, ID, `the lander to pause, got ${paused.status}`)
    return { how: 'paused', pidBefore: 0, pidAfter: 0 }
  }
  ctx.ui.line(`    kill -9 ${pid} (the lander)`)
  process.kill(pid, 'SIGKILL')
  return { how: 'killed', pidBefore: pid, pidAfter: 0 }
}

async function awaitLanderBack(ctx: DemoContext, how: string, pidBefore: number): Promise<number> {
  if (how === 'paused') {
    const resumed = await control(ctx, 'POST', '/api/v1/components/lander/resume')
    expect(resumed.status === 200, ID, `the lander to resume, got ${resumed.status}`)
    return 0
  }
  return waitUntil(ctx, ID, 'sretl up to restart the lander with a new pid, RUNNING', async () => {
    const pid = landerPid(ctx)
    if (pid === undefined || pid === pidBefore || !isAlive(pid)) return undefined
    return (await component(ctx, 'lander')).state === 'RUNNING' ? pid : undefined
  })
}

export const landerRestartStep: DemoStep = {
  id: ID,
  title: 'The lander is killed mid-stream and comes back with nothing lost',
  story:
    'While a till keeps sending, the lander gets kill -9; sretl up restarts it and it resumes from the offsets it committed with its rows.',
  lookAt: [
    'Panel → Overview: the lander card goes red, then RUNNING with restarts +1; lag rises and drains.',
    'Prometheus alert SretlComponentRestarting (and SretlLandingStalled if it stayed down).',
    "SQL: SELECT count(*), count(DISTINCT event_id) FROM sales_raw WHERE receipt_id LIKE '<run id>-kill-%'; (the run id is printed at the top) — equal, and equal to what was sent.",
  ],
  async run(ctx) {
    const prefix = `${ctx.runId}-kill-`
    const n = ctx.pacing.restartEvents
    let interruption = { how: 'none', pidBefore: 0, pidAfter: 0 }
    await stream(ctx, prefix, n, async () => {
      interruption = await interruptLander(ctx)
    })
    const pidAfter = await awaitLanderBack(ctx, interruption.how, interruption.pidBefore)
    const landed = await waitUntil(ctx, ID, `all ${n} lines sent around the kill landed`, async () => {
      const count = await countLanded(ctx, prefix)
      return count.rows >= n ? count : undefined
    })
    expect(
      landed.rows === n && landed.distinct === n,
      ID,
      `${n} rows, each once; got ${landed.rows} rows, ${landed.distinct} distinct`,
    )
    await watch(ctx, 'the lander card and the lag drain')
    return {
      how: interruption.how,
      pidBefore: interruption.pidBefore,
      pidAfter,
      sent: n,
      landed: landed.rows,
      doubled: landed.rows - landed.distinct,
      lost: n - landed.distinct,
    }
  },
}
