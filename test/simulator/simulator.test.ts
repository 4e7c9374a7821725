import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Random } from '../../src/domain/random.ts'
import type { BytesMessage } from '../../src/platform/kafka.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry, renderMetrics } from '../../src/platform/metrics.ts'
import { EventSource, NO_FAULTS } from '../../src/simulator/event-source.ts'
import { createSimulatorMetrics } from '../../src/simulator/metrics.ts'
import { Simulator, type FinishReason, type SimulatorSettings } from '../../src/simulator/simulator.ts'
import { liveTimeline } from '../../src/simulator/timeline.ts'
import { referenceReceiptGenerator } from '../support/simulator.ts'

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A simulator whose Kafka is a function: `ack` decides when each send settles. */
function setup(settings: Partial<SimulatorSettings>, ack: (messages: BytesMessage[]) => Promise<unknown>) {
  const generator = referenceReceiptGenerator('sim')
  const timeline = liveTimeline(Date.now)
  const registry = createMetricsRegistry({ component: 'simulator', processMetrics: false })
  const finished: FinishReason[] = []
  const simulator = new Simulator({
    source: new EventSource({ generator, timeline, faults: NO_FAULTS, random: new Random('sim') }),
    timeline,
    topic: 'sales',
    send: ack,
    settings: {
      ratePerSec: 2000,
      capPerSec: 5000,
      shape: { kind: 'constant' },
      budget: undefined,
      maxInFlight: 1000,
      maxBatch: 100,
      tickMs: 5,
      stallAfterMs: 10_000,
      seed: 'sim',
      ...settings,
    },
    clock: Date.now,
    logger: silentLogger(),
    metrics: createSimulatorMetrics(registry),
    onFinished: (reason) => finished.push(reason),
  })
  return { simulator, registry, finished }
}

test('the simulator should stop at its budget, with every message acknowledged, and say so', async () => {
  const sent: BytesMessage[] = []
  const { simulator, finished } = setup({ budget: 700, ratePerSec: 5000 }, (messages) => {
    sent.push(...messages)
    return Promise.resolve()
  })
  simulator.start()
  for (let i = 0; i < 100 && finished.length === 0; i++) await wait(20)
  await simulator.stop()
  assert.deepEqual(finished, ['BUDGET_EXHAUSTED'])
  assert.equal(sent.length, 700)
  assert.ok(sent.every((m) => m.topic === 'sales' && m.key?.length === 5))
  const details = simulator.details()
  assert.equal(details.eventsProduced, 700)
  assert.equal(details.budgetRemaining, 0)
  assert.equal(details.finished, 'BUDGET_EXHAUSTED')
})

test('with Kafka not answering the simulator should hold at its in-flight bound and report a stall', async () => {
  let sends = 0
  const { simulator, registry } = setup({ ratePerSec: 5000, maxInFlight: 300, stallAfterMs: 50 }, () => {
    sends += 1
    return new Promise(() => undefined)
  })
  simulator.start()
  await wait(300)
  const details = simulator.details()
  assert.equal(details.inFlight, 300, 'never more than the bound in flight')
  assert.equal(details.eventsProduced, 0)
  assert.equal(details.kafkaStalled, true)
  assert.equal(simulator.tracker.snapshot().lastError?.code, 'KAFKA_SEND_TIMEOUT')
  const sendsAtBound = sends
  await wait(100)
  assert.equal(sends, sendsAtBound, 'no more sends while the bound is reached')
  assert.match(
    (await renderMetrics(registry)).body,
    /sretl_simulator_errors_total\{code="KAFKA_SEND_TIMEOUT"[^}]*\} 1/,
  )
  await simulator.stop(10)
})

test('a rate above the cap should be refused with a reason, counted, and leave the rate as it was', async () => {
  const { simulator, registry } = setup({ ratePerSec: 100, capPerSec: 1000 }, () => Promise.resolve())
  const refused = simulator.setRate(1500)
  assert.equal(refused.ok, false)
  assert.ok(!refused.ok && refused.code === 'RATE_ABOVE_CAP' && refused.capPerSec === 1000)
  assert.match(refused.ok ? '' : refused.message, /above the safety cap of 1000/)
  assert.equal(simulator.details().baseRatePerSec, 100)
  assert.equal(simulator.setRate(Number.NaN).ok, false)
  assert.equal(simulator.setRate(-1).ok, false)
  assert.deepEqual(simulator.setRate(1000), { ok: true })
  assert.equal(simulator.details().baseRatePerSec, 1000)
  const metrics = (await renderMetrics(registry)).body
  assert.match(metrics, /sretl_simulator_rate_refused_total\{reason="above_cap"[^}]*\} 1/)
  assert.match(metrics, /sretl_simulator_rate_refused_total\{reason="invalid"[^}]*\} 2/)
  await simulator.stop()
})

test('a paused simulator should send nothing until resumed, and pause and resume should be idempotent', async () => {
  let sent = 0
  const { simulator } = setup({ ratePerSec: 2000 }, (messages) => {
    sent += messages.length
    return Promise.resolve()
  })
  simulator.start()
  await wait(100)
  simulator.pause('test')
  simulator.pause('test again')
  assert.equal(simulator.tracker.state, 'PAUSED')
  assert.equal(simulator.details().pauseReason, 'test')
  await wait(20)
  const atPause = sent
  assert.ok(atPause > 0)
  await wait(200)
  assert.equal(sent, atPause, 'nothing sent while paused')
  simulator.resume('go')
  simulator.resume('go again')
  assert.equal(simulator.tracker.state, 'RUNNING')
  await wait(200)
  assert.ok(sent > atPause, 'sending again after resume')
  await simulator.stop()
})
