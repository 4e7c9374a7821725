/**
 * C3: kill -9 one broker of three under load and restart it; then kill -9 the active controller
 * and restart it. Needs `--brokers 3` (replication factor 3, min.insync.replicas 2): the
 * pipeline must go on through each loss with nothing lost or doubled.
 */
import { testKafkaCluster } from '../../test/support/global-setup.ts'
import { sleep } from '../load.ts'
import type { Scenario } from '../runner.ts'

export const brokerLoss: Scenario = {
  id: 'C3',
  title: 'kill -9 one broker of three, restart it; then the active controller',
  gateway: true,
  async run(ctx) {
    const cluster = testKafkaCluster()
    if (!cluster || cluster.layout.length < 3) throw new Error('C3 needs a three-node cluster: --brokers 3')
    const downMs = Math.min(15_000, ctx.size.faultSeconds * 1000)

    await ctx.progress(0.25)
    const victim = ((await cluster.activeController()) + 1) % cluster.layout.length
    await ctx.fault()
    await cluster.kill(victim)
    await sleep(downMs)
    let started = Date.now()
    await cluster.restart(victim)
    ctx.note(`broker ${victim + 1} killed, down ${downMs} ms, back in ${Date.now() - started} ms`)

    await ctx.progress(0.6)
    const controller = await cluster.activeController()
    await ctx.fault()
    await cluster.kill(controller)
    await sleep(downMs)
    started = Date.now()
    await cluster.restart(controller)
    ctx.note(`controller ${controller + 1} killed, down ${downMs} ms, back in ${Date.now() - started} ms`)
  },
}
