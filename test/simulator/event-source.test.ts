import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Random } from '../../src/domain/random.ts'
import { decodeSaleLine } from '../../src/domain/sale-line-validator.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import {
  EventSource,
  NO_FAULTS,
  type FaultKind,
  type FaultSettings,
} from '../../src/simulator/event-source.ts'
import { liveTimeline } from '../../src/simulator/timeline.ts'
import { referenceReceiptGenerator } from '../support/simulator.ts'

const NOW = Date.UTC(2026, 10, 4, 15)

function source(faults: Partial<FaultSettings>, seed = 'faults') {
  const generator = referenceReceiptGenerator(seed)
  const seen = new Map<FaultKind, number>()
  const events = new EventSource({
    generator,
    timeline: liveTimeline(() => NOW),
    faults: { ...NO_FAULTS, ...faults },
    random: new Random(seed).fork('faults'),
    onFault: (kind) => seen.set(kind, (seen.get(kind) ?? 0) + 1),
  })
  return { events, seen }
}

function decoded(values: readonly Buffer[]): SaleLine[] {
  return values.map((v) => {
    const result = decodeSaleLine(v)
    assert.ok(result.ok, v.toString())
    return result.event
  })
}

test('without faults every message should be a valid event keyed by its store', () => {
  const { events, seen } = source({})
  const messages = events.take(5000)
  assert.equal(messages.length, 5000)
  const lines = decoded(messages.map((m) => m.value))
  lines.forEach((line, i) => {
    assert.equal(messages[i]?.key.toString(), line.store_id)
    assert.equal(messages[i]?.type, line.event_type)
    assert.equal(line.event_time, new Date(NOW).toISOString())
  })
  assert.equal(new Set(lines.map((l) => l.event_id)).size, lines.length, 'unique event ids')
  assert.equal(seen.size, 0)
})

test('late receipts and offline bursts should carry event times minutes before they are sent', () => {
  const late = source({ lateShare: 1, lateMeanDelayMs: 60_000 })
  const lateLines = decoded(late.events.take(2000).map((m) => m.value))
  const delays = lateLines.map((l) => NOW - Date.parse(l.event_time))
  assert.ok(
    delays.every((d) => d > 0 && d <= 86_400_000),
    'every line is late, by at most a day',
  )
  const mean = delays.reduce((a, b) => a + b) / delays.length
  assert.ok(mean > 30_000 && mean < 120_000, `mean delay about a minute, got ${mean}`)
  assert.ok((late.seen.get('late') ?? 0) >= 2000)

  const offline = source({ offlineShare: 1, offlineMinutes: 10 })
  const burst = decoded(offline.events.take(300).map((m) => m.value))
  const first = burst[0]
  assert.ok(first)
  const sameTill = burst.filter((l) => l.store_id === first.store_id && l.register_id === first.register_id)
  assert.ok(sameTill.length >= 5, 'a burst is several receipts of one register')
  for (const line of sameTill) {
    const age = NOW - Date.parse(line.event_time)
    assert.ok(age >= 30_000 && age <= 600_000, `held for up to 10 minutes, got ${age} ms`)
  }
  const times = sameTill.map((l) => l.event_time)
  assert.deepEqual(times, [...times].sort(), 'uploaded in the order they happened')
})

test('duplicates should resend the same bytes with the same event_id a little later', () => {
  const { events, seen } = source({ duplicateShare: 0.1 })
  const messages = events.take(20_000)
  const byId = new Map<string, Buffer[]>()
  for (const line of decoded(messages.map((m) => m.value))) byId.set(line.event_id, [])
  for (const m of messages) byId.get(decoded([m.value])[0]?.event_id ?? '')?.push(m.value)
  const twice = [...byId.values()].filter((v) => v.length === 2)
  assert.ok(twice.length > 1500, `about 10 % sent twice, got ${twice.length}`)
  assert.ok(
    twice.every(([a, b]) => a?.equals(b ?? Buffer.alloc(0))),
    'identical bytes',
  )
  assert.ok([...byId.values()].every((v) => v.length <= 2))
  assert.ok((seen.get('duplicate') ?? 0) >= twice.length)
})

test('malformed messages should never pass validation and should come beside real events', () => {
  const { events, seen } = source({ malformedShare: 0.2 })
  const messages = events.take(5000)
  const bad = messages.filter((m) => m.type === 'MALFORMED')
  assert.ok(bad.length > 600, `about 20 %, got ${bad.length}`)
  const codes = new Set(
    bad.map((m) => {
      const result = decodeSaleLine(m.value)
      assert.equal(result.ok, false, m.value.toString())
      return result.ok ? '' : result.code
    }),
  )
  assert.deepEqual(
    [...codes].sort(),
    ['EVENT_NOT_JSON', 'EVENT_RULE_VIOLATED', 'EVENT_SCHEMA_INVALID'].sort(),
  )
  decoded(messages.filter((m) => m.type !== 'MALFORMED').map((m) => m.value))
  assert.ok((seen.get('malformed') ?? 0) >= bad.length, 'counted as generated')
})

test('far-date receipts should be years away yet valid events', () => {
  const { events } = source({ farDateShare: 1 })
  const years = decoded(events.take(500).map((m) => m.value)).map(
    (l) => Math.abs(Date.parse(l.event_time) - NOW) / (365 * 86_400_000),
  )
  assert.ok(
    years.every((y) => y >= 0.99 && y <= 5.01),
    'between one and five years off',
  )
})
