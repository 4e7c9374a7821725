/**
 * Turning what components report into the panel's figures: one `Point` per poll with the rates
 * (events in, rows landed, dead letters, errors — per second, from counters read twice), the
 * lander's lag and latency. Counters come from each component's /status details and, for the
 * error counters, its /metrics; a counter that went down (the process restarted) starts afresh.
 */
import type { ComponentStatus } from '../platform/component-server.ts'
import { parseDetails } from '../platform/status-details.ts'

export interface Point {
  /** ms since the epoch */
  readonly t: number
  readonly eventsIn: number | null
  readonly simulatorRate: number | null
  readonly gatewayRate: number | null
  readonly rowsLanded: number | null
  readonly lagMessages: number | null
  readonly lagSeconds: number | null
  readonly p50Ms: number | null
  readonly p95Ms: number | null
  readonly dlqPerSec: number | null
  readonly errorsPerSec: number | null
}

export interface Reading {
  readonly name: string
  readonly reachable: boolean
  readonly status?: ComponentStatus | undefined
  /** Errors counted in its /metrics (sum of its error counters), when read. */
  readonly errorCount?: number | undefined
  readonly error?: string | undefined
  readonly checkedAt: number
  readonly lastSeenAt: number | null
}

/** Sum of a metric's samples in Prometheus text format, optionally only where `keep(labels)`. */
export function sumMetric(
  text: string,
  name: string,
  keep?: (labels: string) => boolean,
): number | undefined {
  let sum: number | undefined
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    let labels = ''
    let valuePart: string
    if (rest.startsWith('{')) {
      const close = rest.indexOf('}')
      if (close < 0) continue
      labels = rest.slice(1, close)
      valuePart = rest.slice(close + 1)
    } else if (rest.startsWith(' ')) {
      valuePart = rest
    } else {
      continue
    }
    if (keep && !keep(labels)) continue
    const value = Number(valuePart.trim().split(/\s+/)[0])
    if (Number.isFinite(value)) sum = (sum ?? 0) + value
  }
  return sum
}

/** The error counters of each component's /metrics that the panel's error rate adds up. */
export function errorCount(component: string, metricsText: string): number | undefined {
  switch (component) {
    case 'simulator':
      return sumMetric(metricsText, 'sretl_simulator_errors_total') ?? 0
    case 'gateway':
      return (
        sumMetric(metricsText, 'sretl_gateway_requests_total', (labels) => /status="5\d\d"/.test(labels)) ?? 0
      )
    case 'lander':
      return sumMetric(metricsText, 'sretl_lander_retries_total') ?? 0
    default:
      return undefined
  }
}

export interface LanderFigures {
  readonly rows: number | null
  readonly deadLetters: number | null
  readonly lagMessages: number | null
  readonly lagSeconds: number | null
  readonly p50Ms: number | null
  readonly p95Ms: number | null
  readonly paused: boolean
  readonly failedPartitions: readonly { partition: number; message: string }[]
}

/** The lander's /status details read through its contract; undefined when they break it. */
export function landerFigures(status: ComponentStatus | undefined): LanderFigures | undefined {
  if (!status) return undefined
  const parsed = parseDetails('lander', status)
  if (!parsed.ok) return undefined
  const d = parsed.details
  const lags = d.partitions.map((p) => p.lagMessages).filter((v): v is number => v !== null)
  const ages = d.partitions.map((p) => p.lagSeconds).filter((v): v is number => v !== null)
  return {
    rows: d.totals.rows,
    deadLetters: d.totals.deadLetters,
    lagMessages: lags.length ? lags.reduce((a, b) => a + b, 0) : null,
    lagSeconds: ages.length ? Math.max(...ages) : null,
    p50Ms: d.latencyMs.eventToCommit.p50,
    p95Ms: d.latencyMs.eventToCommit.p95,
    paused: d.paused || status.state === 'PAUSED',
    failedPartitions: d.partitions
      .filter((p) => p.state === 'FAILED')
      .map((p) => ({ partition: p.partition, message: p.lastError?.message ?? 'failing' })),
  }
}

/**
 * Per-second rates from counters read at successive polls, over a sliding window (default 5 s):
 * a lander that commits a batch every few hundred milliseconds shows a steady rate, not spikes.
 */
export class CounterRates {
  readonly #samples = new Map<string, { instance: string; points: { value: number; t: number }[] }>()
  readonly #windowMs: number

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs
  }

  /** The rate over the window up to this reading of `key`; null on the first or after a restart. */
  rate(key: string, value: number | null | undefined, t: number, instance = ''): number | null {
    if (value === null || value === undefined) {
      this.#samples.delete(key)
      return null
    }
    let entry = this.#samples.get(key)
    const last = entry?.points.at(-1)
    if (!entry || entry.instance !== instance || (last && (value < last.value || t <= last.t))) {
      entry = { instance, points: [] }
      this.#samples.set(key, entry)
    }
    entry.points.push({ value, t })
    while (entry.points.length > 2 && (entry.points[1]?.t ?? t) <= t - this.#windowMs) entry.points.shift()
    const first = entry.points[0]
    if (!first || first.t >= t) return null
    return ((value - first.value) * 1000) / (t - first.t)
  }
}

const round = (v: number | null, digits = 1): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits

/** One chart point from a poll's readings. */
export function toPoint(readings: ReadonlyMap<string, Reading>, rates: CounterRates, t: number): Point {
  const statusOf = (name: string) => {
    const r = readings.get(name)
    return r?.reachable ? r.status : undefined
  }
  const details = <N extends 'simulator' | 'gateway'>(name: N) => {
    const status = statusOf(name)
    const parsed = status ? parseDetails(name, status) : undefined
    return parsed?.ok ? parsed.details : undefined
  }
  const simulator = details('simulator')
  const gateway = details('gateway')
  const lander = landerFigures(statusOf('lander'))
  const instance = (name: string) => statusOf(name)?.instance ?? ''
  const simulatorRate = simulator ? simulator.actualRatePerSec : null
  const gatewayRate = rates.rate(
    'gateway.accepted',
    gateway ? gateway.eventsAccepted : null,
    t,
    instance('gateway'),
  )
  const rowsLanded = rates.rate('lander.rows', lander?.rows, t, instance('lander'))
  const dlqPerSec = rates.rate('lander.dlq', lander?.deadLetters, t, instance('lander'))
  let errors: number | null = null
  for (const name of ['simulator', 'gateway', 'lander']) {
    const reading = readings.get(name)
    const r = rates.rate(`${name}.errors`, reading?.reachable ? reading.errorCount : null, t, instance(name))
    if (r !== null) errors = (errors ?? 0) + r
  }
  const eventsIn =
    simulatorRate === null && gatewayRate === null ? null : (simulatorRate ?? 0) + (gatewayRate ?? 0)
  return {
    t,
    eventsIn: round(eventsIn),
    simulatorRate: round(simulatorRate),
    gatewayRate: round(gatewayRate),
    rowsLanded: round(rowsLanded),
    lagMessages: lander?.lagMessages ?? null,
    lagSeconds: round(lander?.lagSeconds ?? null),
    p50Ms: lander?.p50Ms ?? null,
    p95Ms: lander?.p95Ms ?? null,
    dlqPerSec: round(dlqPerSec, 2),
    errorsPerSec: round(errors, 2),
  }
}
