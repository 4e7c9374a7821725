import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { afterEach, describe, mock, test } from 'node:test'
import { referenceProducts, referenceStores } from '../../src/domain/reference-data.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { simulatorSection } from '../../src/simulator/config.ts'
import {
  HISTORY_MAX_EVENTS,
  HISTORY_NOMINAL_MS,
  HISTORY_START_MS,
  historyMessages,
  planHistory,
} from '../../src/simulator/history.ts'
import { ReceiptGenerator } from '../../src/simulator/receipts.ts'

const generator = (seed: string): ReceiptGenerator =>
  new ReceiptGenerator({
    seed,
    stores: referenceStores(),
    products: referenceProducts(),
    settings: loadConfig({}, simulatorSection).receipts,
  })

/** Generates the history with the wall clock frozen at `nowMs`: count, hash of the bytes, span. */
function run(seed: string, events: number, nowMs: number) {
  mock.timers.enable({ apis: ['Date'], now: nowMs })
  try {
    assert.equal(Date.now(), nowMs)
    const g = generator(seed)
    const plan = planHistory(g.weights, { seed, events })
    const hash = createHash('sha256')
    let count = 0
    let first = Number.POSITIVE_INFINITY
    let last = 0
    for (const message of historyMessages(plan, g)) {
      hash.update(message.key)
      hash.update(message.value)
      const at = Date.parse((JSON.parse(message.value.toString()) as { event_time: string }).event_time)
      first = Math.min(first, at)
      last = Math.max(last, at)
      count += 1
    }
    return { count, sha256: hash.digest('hex'), first, last }
  } finally {
    mock.timers.reset()
  }
}

/** The UTC hour of the day at which the whole chain sells least (its quietest hour). */
function quietestHour(): number {
  const weights = generator('quiet').weights
  const day = Date.UTC(2026, 11, 4)
  let best = { hour: 0, traffic: Number.POSITIVE_INFINITY }
  for (let hour = 0; hour < 24; hour++) {
    const traffic = weights.total(day + hour * 3_600_000 + 1_800_000)
    if (traffic < best.traffic) best = { hour, traffic }
  }
  return best.hour
}

afterEach(() => mock.timers.reset())

describe('the simulated history of the benchmarks', () => {
  const quiet = quietestHour()
  // across a day, including the chain's quietest hour (which made the old 20-hour window run short)
  const nows = [0, quiet, 14.5, 23.75].map((h) => Date.UTC(2026, 11, 4) + h * 3_600_000)

  for (const events of [1, 20_000]) {
    test(`history should hold exactly ${events} events, the same bytes at any hour of the day`, () => {
      const runs = nows.map((now) => run('bench-42', events, now))
      for (const [i, r] of runs.entries()) {
        assert.equal(r.count, events, `events at now = ${new Date(nows[i] ?? 0).toISOString()}`)
      }
      assert.equal(new Set(runs.map((r) => r.sha256)).size, 1, 'one byte sequence whatever the hour')
      const [one] = runs
      assert.ok(one && one.first >= HISTORY_START_MS, 'the history starts at its fixed simulated start')
    })
  }

  test('history should differ for another seed and span about the nominal 20 hours', () => {
    const a = run('bench-42', 20_000, nows[0] ?? 0)
    const b = run('bench-43', 20_000, nows[0] ?? 0)
    assert.notEqual(a.sha256, b.sha256)
    assert.equal(b.count, 20_000)
    const hours = (a.last - HISTORY_START_MS) / 3_600_000
    assert.ok(hours > 16 && hours < 26, `20,000 events span ${hours.toFixed(1)} h from the start`)
    assert.equal(HISTORY_NOMINAL_MS, 20 * 3_600_000)
  })

  test('planHistory should refuse, saying why, a size that cannot be produced', () => {
    const weights = generator('x').weights
    for (const events of [0, -5, 1.5, HISTORY_MAX_EVENTS + 1, Number.NaN]) {
      assert.throws(() => planHistory(weights, { seed: 'x', events }), /whole number of events from 1 to/)
    }
  })
})
