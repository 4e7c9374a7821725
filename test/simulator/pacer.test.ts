import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Pacer, peakRate, shapedRate, type RateShape } from '../../src/simulator/pacer.ts'

/** Drives a pacer with a fake clock, taking everything it allows every `tickMs`. */
function drive(pacer: Pacer, clock: { now: number }, ms: number, tickMs = 5): number[] {
  const perTick: number[] = []
  for (let t = 0; t < ms; t += tickMs) {
    clock.now += tickMs
    const n = pacer.available()
    pacer.take(n)
    perTick.push(n)
  }
  return perTick
}

test('the pacer should hold a constant rate exactly, in even small steps rather than bursts', () => {
  for (const rate of [1, 1000, 10_000, 20_000]) {
    const clock = { now: 1_000_000 }
    const pacer = new Pacer({ clock: () => clock.now, ratePerSec: rate, shape: { kind: 'constant' } })
    const perTick = drive(pacer, clock, 60_000)
    const total = perTick.reduce((a, b) => a + b, 0)
    assert.ok(Math.abs(total - rate * 60) <= 1, `${rate}/s for 60 s: ${total}`)
    const largest = Math.max(...perTick)
    assert.ok(
      largest <= Math.ceil((rate * 5) / 1000) + 1,
      `${rate}/s: at most one tick's share at once, got ${largest}`,
    )
  }
})

test('after a stall the pacer should catch up by at most its burst window, then hold the rate', () => {
  const clock = { now: 0 }
  const pacer = new Pacer({
    clock: () => clock.now,
    ratePerSec: 1000,
    shape: { kind: 'constant' },
    maxBurstMs: 200,
  })
  clock.now += 5_000
  assert.equal(pacer.available(), 200, 'five seconds of stall give 200 ms of catch-up, not 5,000 events')
  pacer.take(200)
  const total = drive(pacer, clock, 10_000).reduce((a, b) => a + b, 0)
  assert.ok(Math.abs(total - 10_000) <= 1)
  pacer.reset()
  clock.now += 1
  assert.equal(pacer.available(), 1, 'a reset forgets earned tokens')
})

test('a rate change should apply from the next tick', () => {
  const clock = { now: 0 }
  const pacer = new Pacer({ clock: () => clock.now, ratePerSec: 100, shape: { kind: 'constant' } })
  const before = drive(pacer, clock, 1000).reduce((a, b) => a + b, 0)
  pacer.setRate(5000)
  const after = drive(pacer, clock, 1000).reduce((a, b) => a + b, 0)
  assert.ok(Math.abs(before - 100) <= 1 && Math.abs(after - 5000) <= 2, `${before} then ${after}`)
  pacer.setRate(0)
  assert.equal(
    drive(pacer, clock, 1000).reduce((a, b) => a + b, 0),
    0,
  )
})

test('sine and step shapes should move the rate around the base and report their peak', () => {
  const sine: RateShape = { kind: 'sine', periodMs: 10_000, amplitude: 0.5 }
  const step: RateShape = { kind: 'step', periodMs: 10_000, factor: 3 }
  assert.equal(shapedRate(1000, sine, 2500), 1500)
  assert.equal(Math.round(shapedRate(1000, sine, 7500)), 500)
  assert.equal(shapedRate(1000, step, 1000), 1000)
  assert.equal(shapedRate(1000, step, 6000), 3000)
  assert.equal(peakRate(1000, sine), 1500)
  assert.equal(peakRate(1000, step), 3000)
  assert.equal(peakRate(1000, { kind: 'step', periodMs: 1, factor: 0.5 }), 1000)
  for (const shape of [sine, step]) {
    const clock = { now: 0 }
    const pacer = new Pacer({ clock: () => clock.now, ratePerSec: 1000, shape })
    const total = drive(pacer, clock, 20_000, 1).reduce((a, b) => a + b, 0)
    const expected = shape.kind === 'sine' ? 20_000 : 40_000
    assert.ok(Math.abs(total - expected) / expected < 0.01, `${shape.kind}: ${total} ≈ ${expected}`)
  }
})
