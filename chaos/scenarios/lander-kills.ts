/** C1: kill -9 the lander at each point where exactly-once is decided (the test hook), ×3 each. */
import { sleep } from '../load.ts'
import { POISON_KINDS, poisonSet } from '../poison.ts'
import type { Scenario } from '../runner.ts'

const POINTS = ['after-copy-before-commit', 'after-dlq-before-commit', 'after-commit-before-kafka-commit']

const hook = (point: string, nth: number): Record<string, string> => ({
  SRETL_TEST_FAULT_AT: point,
  SRETL_TEST_FAULT: 'kill',
  SRETL_TEST_FAULT_BATCH: String(nth),
})

export const landerKills: Scenario = {
  id: 'C1',
  title: 'kill -9 the lander at each named point, ×3',
  landerEnv: hook(POINTS[0] ?? '', 2),
  async run(ctx) {
    const rounds = POINTS.flatMap((p) => [p, p, p])
    for (let i = 0; i < rounds.length; i += 1) {
      // the kills spread over the load's first --events, not all at its start
      await ctx.progress(i / (rounds.length + 1))
      // dead letters in the stream, so the after-dlq point is passed
      ctx.load.extra(poisonSet(i))
      ctx.expectDeadLetters(POISON_KINDS)
      const code = await Promise.race([
        ctx.lander.cli.exited,
        sleep(120_000).then(() => {
          throw new Error(`C1: the lander was not killed at ${rounds[i]} within 120 s`)
        }),
      ])
      await ctx.fault()
      const next = rounds[i + 1]
      ctx.log(`kill ${i + 1}/${rounds.length} at ${rounds[i]} (exit ${code})`)
      await ctx.startLander(
        // a lander passes the dead-letter point only with dead letters in the batch: the first
        next
          ? hook(next, next === 'after-dlq-before-commit' ? 1 : 1 + (i % 3))
          : { SRETL_TEST_FAULT_AT: 'none', SRETL_TEST_FAULT_BATCH: '1' },
      )
    }
    ctx.note(`${rounds.length} kills: 3 at each of ${POINTS.join(', ')}`)
  },
}
