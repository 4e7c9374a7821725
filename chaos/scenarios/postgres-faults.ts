/**
 * PostgreSQL going wrong under load, through the fault proxy between the lander and the server
 * (the server itself is shared with other tests and is not restarted):
 * C4 the connection cut for a while, as a restart looks to the lander;
 * C5 the reply to a COMMIT lost after the server committed (ADR 0065), ×3;
 * C6 every packet delayed: lag grows, the lander's buffer stays within its limit;
 * C11 the database read-only: the lander retries, /status names the error, nothing is lost.
 */
import { adminQuery } from '../../test/support/harness.ts'
import { metricValue } from '../../test/support/lander.ts'
import { sleep } from '../load.ts'
import type { ChaosContext, Scenario } from '../runner.ts'

export const postgresRestart: Scenario = {
  id: 'C4',
  title: 'PostgreSQL unreachable (connections reset) under load',
  async run(ctx) {
    await ctx.progress(0.3)
    await ctx.proxy.cut()
    await sleep(ctx.size.faultSeconds * 1000)
    await ctx.proxy.restore()
    await ctx.fault()
    ctx.note(`connections reset and refused for ${ctx.size.faultSeconds} s`)
  },
}

export const ambiguousCommit: Scenario = {
  id: 'C5',
  title: 'COMMIT reply lost after the server committed, ×3',
  async run(ctx) {
    for (const share of [0.2, 0.45, 0.7]) {
      await ctx.progress(share)
      const before = ctx.proxy.commitsDropped
      ctx.proxy.dropNextCommitReply()
      await waitUntil(() => ctx.proxy.commitsDropped > before)
      await ctx.fault()
    }
    const metrics = await ctx.lander.metrics()
    const retries = metricValue(metrics, 'sretl_lander_retries_total')
    const duplicates = metricValue(metrics, 'sretl_lander_duplicates_total')
    ctx.note(
      `${ctx.proxy.commitsDropped} landing COMMIT replies dropped; the lander retried ${retries} times and counted ${duplicates} duplicates`,
    )
  },
}

export const slowPostgres: Scenario = {
  id: 'C6',
  title: 'PostgreSQL slow (40 ms added to every packet)',
  gateway: true,
  async run(ctx) {
    await ctx.progress(0.2)
    ctx.proxy.setLatency(40)
    let maxBuffered = 0
    let limit = 0
    const until = Date.now() + ctx.size.faultSeconds * 1000
    while (Date.now() < until) {
      const status = await ctx.lander.status().catch(() => undefined)
      if (status) {
        maxBuffered = Math.max(maxBuffered, status.details.buffered.records)
        limit = status.details.buffered.limitRecords
      }
      await sleep(250)
    }
    ctx.proxy.setLatency(0)
    await ctx.fault()
    ctx.note(`buffered at most ${maxBuffered} of ${limit} records while slow`)
    if (maxBuffered > limit) throw new Error(`C6: the lander buffered ${maxBuffered} > its limit ${limit}`)
  },
}

export const readOnlyPostgres: Scenario = {
  id: 'C11',
  title: 'database read-only under load',
  async run(ctx) {
    await ctx.progress(0.3)
    await setReadOnly(ctx, true)
    const seen = new Set<string>()
    const until = Date.now() + ctx.size.faultSeconds * 1000
    while (Date.now() < until) {
      const status = await ctx.lander.status().catch(() => undefined)
      const error =
        status?.lastError?.code ?? status?.details.partitions.find((p) => p.lastError)?.lastError?.code
      if (status) seen.add(`${status.state}${error ? ` ${error}` : ''}`)
      await sleep(250)
    }
    await setReadOnly(ctx, false)
    await ctx.fault()
    ctx.note(`read-only for ${ctx.size.faultSeconds} s; lander /status showed: ${[...seen].join('; ')}`)
  },
}

async function setReadOnly(ctx: ChaosContext, on: boolean): Promise<void> {
  // from another database: a session on this one would itself be read-only and could not undo it
  await adminQuery(
    process.env.SRETL_TEST_ADMIN_URL ?? ctx.db.url,
    on
      ? `ALTER DATABASE ${ctx.db.name} SET default_transaction_read_only = on`
      : `ALTER DATABASE ${ctx.db.name} RESET default_transaction_read_only`,
  )
  // the setting applies to new sessions: make the lander open new ones
  await ctx.proxy.cut()
  await ctx.proxy.restore()
}

async function waitUntil(probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('the fault proxy saw no COMMIT to drop')
    await sleep(20)
  }
}
