import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { topicNames } from '../../src/platform/topics.ts'
import {
  adminHeaders,
  getJson,
  postJson,
  startComponent,
  type RunningComponent,
} from '../support/components.ts'
import { configFor, createTopicsFor, runCli, startCli, testEnv, waitFor } from '../support/harness.ts'
import { messageCount, readTopic } from '../support/kafka.ts'

const env = testEnv({
  extra: { RATE_PER_SEC: '100', SIMULATOR_MAX_RATE_PER_SEC: '2000', SIMULATOR_SEED: 'it' },
})
const kafka = configFor(env).kafka
const topic = topicNames(kafka).salesEvents
let simulator: RunningComponent
const admin = () => adminHeaders(env)
let cliEnv: Record<string, string>

before(async () => {
  await createTopicsFor(kafka)
  simulator = await startComponent('simulator', env)
  cliEnv = { ...env, SIMULATOR_URL: simulator.url }
})
after(() => simulator.stop())

interface Status {
  state: string
  details: { eventsProduced: number; inFlight: number; baseRatePerSec: number; capPerSec: number }
}
const status = () => getJson<Status>(`${simulator.url}/status`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('pausing the simulator should stop production and resuming should restart it', async () => {
  await waitFor(async () => (await messageCount(kafka, topic)) > 50, { message: 'the simulator produces' })
  const paused = await runCli(['pause', 'simulator', '--reason', 'it test'], cliEnv)
  assert.equal(paused.code, 0, paused.stderr)
  assert.match(paused.stdout, /simulator: PAUSED/)
  await waitFor(async () => (await status()).details.inFlight === 0)
  const atPause = await messageCount(kafka, topic)
  await sleep(1500)
  assert.equal(await messageCount(kafka, topic), atPause, 'nothing produced while paused')
  assert.equal((await status()).state, 'PAUSED')
  const resumed = await runCli(['resume', 'simulator'], cliEnv)
  assert.equal(resumed.code, 0, resumed.stderr)
  await waitFor(async () => (await messageCount(kafka, topic)) > atPause + 50, {
    message: 'production restarts after resume',
  })
})

test('a rate change should take effect within a second', async () => {
  assert.equal((await postJson(`${simulator.url}/rate`, { ratePerSec: 20 }, admin())).status, 200)
  // 20 → 400 is a 20× jump: the safe limits ask for a confirmation first, and change nothing without it
  const unconfirmed = await runCli(['rate', '400'], cliEnv)
  assert.equal(unconfirmed.code, 1)
  assert.match(unconfirmed.stderr, /\[CONFIRMATION_REQUIRED\]/)
  await sleep(2500)
  // timed through the API (what the CLI and the panel call): the CLI's own start-up time on a
  // loaded machine is not the simulator's reaction time
  assert.equal((await postJson(`${simulator.url}/rate`, { ratePerSec: 400 }, admin())).status, 200)
  const changedAt = Date.now()
  await sleep(3500)
  const messages = await readTopic(kafka, topic, await messageCount(kafka, topic))
  const times = messages.map((m) => Date.parse((JSON.parse(m.value.toString()) as SaleLine).event_time))
  const inWindow = (from: number, to: number) =>
    times.filter((t) => t >= changedAt + from && t < changedAt + to).length
  const before = inWindow(-2000, -100)
  const after = inWindow(1000, 3000)
  assert.ok(before <= 100, `about 20/s before the change: ${before} in 1.9 s`)
  assert.ok(after >= 400, `about 400/s from a second after the change: ${after} in 2 s`)
  assert.equal((await status()).details.baseRatePerSec, 400)
  const shown = await runCli(['rate', '400'], cliEnv)
  assert.equal(shown.code, 0, shown.stderr)
  assert.match(shown.stdout, /simulator rate set to 400 events\/s/)
})

test('a rate above the cap should be refused with its reason, and the rate should stay', async () => {
  const refused = await postJson(`${simulator.url}/rate`, { ratePerSec: 2001 }, admin())
  assert.equal(refused.status, 422)
  assert.equal(refused.body.code, 'RATE_ABOVE_CAP')
  assert.equal(refused.body.capPerSec, 2000)
  assert.match(String(refused.body.message), /above the safety cap of 2000 events\/s/)
  const cli = await runCli(['rate', '5000'], cliEnv)
  assert.equal(cli.code, 1)
  assert.match(cli.stderr, /\[RATE_ABOVE_CAP\]/)
  assert.equal(
    (await postJson(`${simulator.url}/rate`, { ratePerSec: 'fast' }, admin())).body.code,
    'RATE_INVALID',
  )
  assert.equal((await status()).details.baseRatePerSec, 400)
  const metrics = await (await fetch(`${simulator.url}/metrics`)).text()
  // the CLI's refusal came from the safe limits before reaching the simulator: only the direct POST counts
  assert.match(metrics, /sretl_simulator_rate_refused_total\{reason="above_cap"[^}]*\} 1/)
  assert.match(metrics, /sretl_simulator_target_rate_per_second\{[^}]*\} 400/)
})

test('a simulated history should be the same events for the same seed, and end by itself', async () => {
  const run = async (): Promise<Map<number, string[]>> => {
    const runEnv = testEnv({
      extra: {
        SIMULATOR_CLOCK: 'simulated',
        SIMULATOR_HISTORY_START: '2026-01-05T00:00:00.000Z',
        SIMULATOR_HISTORY_DAYS: '1',
        SIMULATOR_EVENTS_PER_DAY: '3000',
        SIMULATOR_MAX_RATE_PER_SEC: '20000',
        SIMULATOR_SEED: 'history',
        SIMULATOR_FAULT_DUPLICATE_SHARE: '0.01',
        SIMULATOR_EXIT_WHEN_DONE: 'true',
        SIMULATOR_PORT: '0',
      },
    })
    const runKafka = configFor(runEnv).kafka
    await createTopicsFor(runKafka)
    const child = startCli(['run', 'simulator'], runEnv)
    assert.equal(await child.exited, 0, child.output())
    const runTopic = topicNames(runKafka).salesEvents
    const messages = await readTopic(runKafka, runTopic, await messageCount(runKafka, runTopic))
    const byPartition = new Map<number, string[]>()
    for (const m of messages)
      byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m.value.toString()])
    return byPartition
  }
  const first = await run()
  const all = [...first.values()].flat()
  assert.ok(all.length > 2000 && all.length < 4500, `about 3,000 events for the day, got ${all.length}`)
  for (const text of all) {
    const time = (JSON.parse(text) as SaleLine).event_time
    assert.ok(time >= '2026-01-05T00:00:00.000Z' && time < '2026-01-06T00:00:00.000Z', time)
  }
  assert.deepEqual(await run(), first, 'the same bytes in the same order on every partition')
})

test('sretl tail should print the stream’s events, and say so when the topic is missing', async () => {
  const json = await runCli(['tail', '--json', '-n', '3', '--from-beginning'], env)
  assert.equal(json.code, 0, json.stderr)
  const events = json.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SaleLine)
  assert.equal(events.length, 3)
  assert.ok(events.every((e) => /^S\d{4}$/.test(e.store_id)))
  const missing = await runCli(['tail', '-n', '1'], testEnv())
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /does not exist; create it with `sretl topics` \[TOPIC_MISSING\]/)
})
