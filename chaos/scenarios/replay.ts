/**
 * C8: replay from earliest under load: the lander is stopped, its stored offsets reset to the
 * beginning of the topic (`sretl reset-offsets lander --to-earliest`, as an operator would), and
 * a lander started again while the load goes on. Every record is read again; nothing may land twice.
 */
import { runCli } from '../../test/support/harness.ts'
import { sleep } from '../load.ts'
import type { Scenario } from '../runner.ts'

export const replayFromEarliest: Scenario = {
  id: 'C8',
  title: 'replay from earliest under load (reset-offsets --to-earliest)',
  async run(ctx) {
    await ctx.progress(0.4)
    await ctx.lander.stop()
    // a static member stays in the group until its session ends: the reset is refused until then
    const deadline = Date.now() + 60_000
    for (;;) {
      const reset = await runCli(['reset-offsets', 'lander', '--to-earliest'], ctx.env)
      if (reset.code === 0) break
      if (!/GROUP_ACTIVE/.test(reset.stderr) || Date.now() > deadline) {
        throw new Error(`sretl reset-offsets failed: ${reset.stderr.trim()}`)
      }
      await sleep(1000)
    }
    await ctx.fault()
    await ctx.startLander()
    ctx.note('lander stopped at 40 %, stored offsets reset to earliest, every record read again')
  },
}
