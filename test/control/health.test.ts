import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ComponentStatus } from '../../src/platform/component-server.ts'
import { lagTrend, summarize } from '../../src/control/health.ts'
import type { Point, Reading } from '../../src/control/readings.ts'
import { detailsOf } from '../support/status-details.ts'

const now = 1_000_000
const status = (
  component: string,
  state: ComponentStatus['state'],
  details: Record<string, unknown> = {},
): ComponentStatus => ({
  component,
  instance: 'h:1',
  state,
  since: '',
  heartbeatAt: '',
  details: detailsOf(component, details),
})
const reading = (s: ComponentStatus): Reading => ({
  name: s.component,
  reachable: true,
  status: s,
  checkedAt: now,
  lastSeenAt: now,
})
const landerWith = (lagSeconds: number, lagMessages: number, paused = false) =>
  status('lander', paused ? 'PAUSED' : 'RUNNING', {
    paused,
    partitions: [
      { partition: 0, state: paused ? 'PAUSED' : 'RUNNING', lastError: null, lagMessages, lagSeconds },
    ],
    totals: { rows: 1, deadLetters: 0 },
  })
const point = (t: number, lagSeconds: number | null, extra: Partial<Point> = {}): Point => ({
  t,
  eventsIn: 100,
  simulatorRate: 100,
  gatewayRate: 0,
  rowsLanded: 100,
  lagMessages: 0,
  lagSeconds,
  p50Ms: 100,
  p95Ms: 200,
  dlqPerSec: 0,
  errorsPerSec: 0,
  ...extra,
})
const settings = { lagWarnSeconds: 30, lagCriticalSeconds: 60 }
const map = (...rs: Reading[]) => new Map(rs.map((r) => [r.name, r]))

test('a pipeline with nothing wrong should read "Healthy" with its rate and lag', () => {
  const h = summarize(
    map(reading(status('simulator', 'RUNNING')), reading(landerWith(0.4, 3))),
    [point(now, 0.4)],
    settings,
    now,
  )
  assert.deepEqual(h, {
    level: 'ok',
    headline: 'Healthy',
    items: [{ level: 'ok', text: '100 events/s in, lag 0 s' }],
  })
})

test('a growing lag should read "Falling behind … and growing", a shrinking one "Catching up"', () => {
  const growing = [point(now - 10_000, 20), point(now - 5000, 31), point(now, 42)]
  const h = summarize(map(reading(landerWith(42, 4200))), growing, settings, now)
  assert.equal(h.level, 'warn')
  assert.equal(h.headline, 'Falling behind: lag 42 s and growing (4,200 events waiting)')
  const shrinking = [point(now - 10_000, 90), point(now, 70)]
  const c = summarize(map(reading(landerWith(70, 7000))), shrinking, settings, now)
  assert.equal(c.level, 'critical')
  assert.equal(c.headline, 'Catching up: lag 1 min 10 s, shrinking (7,000 events waiting)')
  assert.equal(lagTrend([point(now - 5000, 40), point(now, 40.5)], 10_000), 'steady')
})

test('the most serious problem should come first: an unreachable or failing component before a pause', () => {
  const lost: Reading = {
    name: 'gateway',
    reachable: false,
    checkedAt: now,
    lastSeenAt: now - 12_000,
    error: 'ECONNREFUSED',
  }
  const h = summarize(
    map(
      reading(status('simulator', 'PAUSED', { paused: true, pauseReason: 'demo' })),
      lost,
      reading(landerWith(0, 0, true)),
    ),
    [point(now, 0, { dlqPerSec: 2 })],
    settings,
    now,
  )
  assert.equal(h.level, 'critical')
  assert.equal(h.headline, 'The gateway is not answering (last seen 12 s ago)')
  assert.deepEqual(
    h.items.map((i) => i.text),
    [
      'The gateway is not answering (last seen 12 s ago)',
      'The simulator is paused (demo)',
      'Landing is paused: 0 events waiting',
      'Dead letters arriving: 2.0/s — see Dead letters',
    ],
  )
  const both = summarize(
    map(
      reading(status('simulator', 'PAUSED', { paused: true })),
      reading(status('gateway', 'PAUSED', { paused: true })),
    ),
    [],
    settings,
    now,
  )
  assert.equal(both.headline, 'All intake is stopped: the simulator and the gateway are paused')
})

test('a component whose status breaks its contract should be named with the field, not shown as zeros', () => {
  const h = summarize(
    map(reading(status('simulator', 'RUNNING', { actualRatePerSec: 'fast' })), reading(landerWith(0.4, 3))),
    [point(now, 0.4)],
    settings,
    now,
  )
  assert.ok(
    h.items.some(
      (i) =>
        i.level === 'warn' &&
        /simulator's status breaks its contract at details\.actualRatePerSec/.test(i.text),
    ),
    JSON.stringify(h.items),
  )
})
