/**
 * Faults in what arrives and in who lands it:
 * C7 poison of every kind mixed into the load;
 * C9 events produced twice, and sent again with a new event_time (same event_id);
 * C10 a zombie lander: SIGSTOP past its session timeout while a second lander takes over, SIGCONT.
 */
import { sleep } from '../load.ts'
import { POISON_KINDS, poisonSet } from '../poison.ts'
import type { Scenario } from '../runner.ts'

export const poisonMix: Scenario = {
  id: 'C7',
  title: 'poison of every kind mixed into the load',
  async run(ctx) {
    for (let i = 0; i < 10; i += 1) {
      await ctx.progress(i / 10)
      ctx.load.extra(poisonSet(i))
      ctx.expectDeadLetters(POISON_KINDS)
    }
    ctx.note(`${10 * POISON_KINDS} poison messages of ${POISON_KINDS} kinds`)
  },
}

export const duplicates: Scenario = {
  id: 'C9',
  title: 'duplicate produce, and resend with a new event_time',
  async run(ctx) {
    let copies = 0
    for (let i = 1; i <= 5; i += 1) {
      await ctx.progress(i / 6)
      const again = ctx.load.recent(100)
      const retimed = again.slice(0, 50).map((m) => {
        const event = JSON.parse(m.value.toString()) as { event_time: string }
        event.event_time = new Date(Date.parse(event.event_time) + 1000).toISOString()
        return { key: m.key, value: Buffer.from(JSON.stringify(event)) }
      })
      ctx.load.extra([...again, ...retimed])
      copies += again.length + retimed.length
    }
    ctx.note(`${copies} copies sent (a third of them with a new event_time)`)
  },
}

export const zombieLander: Scenario = {
  id: 'C10',
  title: 'zombie lander (SIGSTOP past the session timeout, SIGCONT)',
  async run(ctx) {
    await ctx.progress(0.25)
    const zombie = ctx.lander
    const pid = zombie.cli.child.pid ?? -1
    process.kill(pid, 'SIGSTOP')
    await ctx.fault()
    // a second member of the group takes the partitions once the zombie's session expires
    await ctx.startLander({ LANDER_GROUP_INSTANCE_ID: 'chaos-lander-2' })
    await sleep(10_000)
    process.kill(pid, 'SIGCONT')
    ctx.note('stopped 10 s (session timeout 6 s), a second lander took over, then continued')
  },
}
