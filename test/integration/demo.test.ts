import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runCli } from '../support/harness.ts'
import { startRunningStack } from '../support/running-stack.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

/** `result <step>: k=v k=v` lines of the demo's output, by step. */
function results(stdout: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const match of stdout.matchAll(/^result ([a-z-]+): (.*)$/gm)) {
    const facts: Record<string, string> = {}
    for (const pair of (match[2] ?? '').split(' ')) {
      const [k = '', v = ''] = pair.split('=')
      facts[k] = v
    }
    out[match[1] ?? ''] = facts
  }
  return out
}

test('sretl demo --fast should run every step against a running stack and report what each proved', async (t) => {
  const stack = await startRunningStack(db.url)
  try {
    const started = Date.now()
    const run = await runCli(['demo', '--fast'], stack.env, 500_000)
    t.diagnostic(`sretl demo --fast took ${Date.now() - started} ms`)
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`)
    const r = results(run.stdout)
    assert.deepEqual(Object.keys(r), [
      'ramp',
      'late-burst',
      'dead-letters',
      'lander-restart',
      'gateway-pause',
      'rate-cap',
      'verify',
    ])
    assert.equal(r.ramp?.rateAfter, '40')
    assert.equal(r['late-burst']?.landed, r['late-burst']?.sent)
    assert.equal(r['dead-letters']?.replayed, r['dead-letters']?.sent)
    assert.equal(r['dead-letters']?.backAfterReplay, r['dead-letters']?.sent)
    const kill = r['lander-restart']
    assert.equal(kill?.how, 'killed')
    assert.notEqual(kill.pidAfter, kill.pidBefore)
    assert.equal(kill.landed, kill.sent)
    assert.equal(kill.doubled, '0')
    assert.equal(r['gateway-pause']?.status, '503')
    assert.equal(r['gateway-pause']?.code, 'GATEWAY_PAUSED')
    assert.ok(Number(r['gateway-pause']?.retryAfter) > 0)
    assert.equal(r['rate-cap']?.status, '422')
    assert.equal(r['rate-cap']?.code, 'RATE_ABOVE_CAP')
    assert.equal(r['rate-cap']?.rateAfter, r['rate-cap']?.rateBefore)
    assert.equal(r.verify?.differing, '0')
    assert.match(run.stdout, /Look at:/)
    assert.match(run.stdout, /^Demo complete: 7 step\(s\) passed/m)

    // the tour leaves the simulator at the rate it found
    const rate = await runCli(['rate'], stack.env)
    assert.match(rate.stdout, /simulator rate 10 events\/s/)

    // a step that cannot see its effect stops with the catalogued code, naming the step
    const broken = await runCli(
      ['demo', '--fast', '--only', 'gateway-pause', '--api-key', 'wrong'],
      stack.env,
      300_000,
    )
    assert.equal(broken.code, 1)
    assert.match(broken.stderr, /demo step "gateway-pause" failed: expected .*\[DEMO_STEP_FAILED\]/)
  } finally {
    await stack.stop()
  }
})

test('sretl demo --help should describe the steps and options', async () => {
  const help = await runCli(['demo', '--help'], process.env)
  assert.equal(help.code, 0)
  for (const word of ['--step', '--fast', '--only', 'lander-restart', 'DEMO_STEP_FAILED']) {
    assert.ok(help.stdout.includes(word), word)
  }
})
