/**
 * The panel's health summary in plain language: "Healthy", or the most serious thing wrong first
 * ("Falling behind: lag 42 s and growing"), then everything else worth knowing. Pure: it reads
 * the latest readings and the recent chart points.
 */
import { landerFigures, type Point, type Reading } from './readings.ts'
import { formatCount, formatRate, formatSeconds } from './format.ts'
import { isDetailsComponent, parseDetails } from '../platform/status-details.ts'

export type Level = 'ok' | 'warn' | 'critical'

export interface HealthItem {
  readonly level: Level
  readonly text: string
}

export interface Health {
  readonly level: Level
  readonly headline: string
  readonly items: readonly HealthItem[]
}

export interface HealthSettings {
  readonly lagWarnSeconds: number
  readonly lagCriticalSeconds: number
  /** How far back the trend of the lag is judged. */
  readonly trendWindowMs?: number
}

const rank: Record<Level, number> = { ok: 0, warn: 1, critical: 2 }

function ago(ms: number): string {
  return formatSeconds(ms / 1000)
}

function reasonOf(details: { readonly pauseReason?: string | null | undefined }): string {
  return details.pauseReason ? ` (${details.pauseReason})` : ''
}

export function summarize(
  readings: ReadonlyMap<string, Reading>,
  points: readonly Point[],
  settings: HealthSettings,
  now: number,
): Health {
  const items: HealthItem[] = [
    ...componentItems(readings, now),
    ...intakeItems(readings),
    ...landerItems(readings, points, settings),
    ...flowItems(points, now),
  ]
  items.sort((a, b) => rank[b.level] - rank[a.level])
  const first = items[0]
  if (!first) return { level: 'ok', headline: 'Healthy', items: healthyItems(points) }
  return { level: first.level, headline: first.text, items }
}

/** A component that does not answer, fails, starts, or answers /status out of contract. */
function componentItems(readings: ReadonlyMap<string, Reading>, now: number): HealthItem[] {
  const items: HealthItem[] = []
  for (const [name, r] of readings) {
    if (!r.reachable) {
      const seen = r.lastSeenAt ? ` (last seen ${ago(now - r.lastSeenAt)} ago)` : ''
      items.push({ level: 'critical', text: `The ${name} is not answering${seen}` })
      continue
    }
    const s = r.status
    if (!s) continue
    if (s.state === 'FAILED') {
      items.push({
        level: 'critical',
        text: `The ${name} is failing: ${s.lastError?.message ?? 'no reason given'}`,
      })
    } else if (s.state === 'STARTING') {
      items.push({
        level: 'warn',
        text: `The ${name} is starting${s.lastError ? `: ${s.lastError.message}` : ''}`,
      })
    }
    if (isDetailsComponent(name)) {
      const parsed = parseDetails(name, s)
      if (!parsed.ok)
        items.push({ level: 'warn', text: `${parsed.problem} (a component of another version?)` })
    }
  }
  return items
}

/** Paused intake, and Kafka not acknowledging the gateway or the simulator. */
function intakeItems(readings: ReadonlyMap<string, Reading>): HealthItem[] {
  const items: HealthItem[] = []
  const add = (level: Level, text: string): void => void items.push({ level, text })
  const details = <N extends 'simulator' | 'gateway'>(name: N) => {
    const status = readings.get(name)?.status
    const parsed = status ? parseDetails(name, status) : undefined
    return parsed?.ok ? parsed.details : undefined
  }
  const simulator = details('simulator')
  const gateway = details('gateway')
  if (simulator?.paused && gateway?.paused)
    add('warn', 'All intake is stopped: the simulator and the gateway are paused')
  else {
    if (simulator?.paused) add('warn', `The simulator is paused${reasonOf(simulator)}`)
    if (gateway?.paused) add('warn', `Intake is paused: the gateway answers 503${reasonOf(gateway)}`)
  }
  if (gateway?.kafkaAvailable === false)
    add('critical', 'The gateway cannot reach Kafka: tills are told to retry')
  if (simulator?.kafkaStalled === true) add('critical', 'Kafka is not acknowledging the simulator’s events')
  return items
}

/** Partitions that cannot land, a paused lander, and a lag above the thresholds with its trend. */
function landerItems(
  readings: ReadonlyMap<string, Reading>,
  points: readonly Point[],
  settings: HealthSettings,
): HealthItem[] {
  const reading = readings.get('lander')
  const lander = reading?.reachable ? landerFigures(reading.status) : undefined
  if (!lander) return []
  const items: HealthItem[] = lander.failedPartitions.map((p) => ({
    level: 'critical',
    text: `Partition ${p.partition} cannot land: ${p.message}`,
  }))
  const lag = lander.lagSeconds ?? 0
  const waiting = lander.lagMessages ?? 0
  if (lander.paused) {
    const oldest = lag > 0 ? `, the oldest ${formatSeconds(lag)} old` : ''
    items.push({ level: 'warn', text: `Landing is paused: ${formatCount(waiting)} events waiting${oldest}` })
  } else if (lag >= settings.lagWarnSeconds) {
    const trend = lagTrend(points, settings.trendWindowMs ?? 10_000)
    const text =
      trend === 'growing'
        ? `Falling behind: lag ${formatSeconds(lag)} and growing`
        : trend === 'shrinking'
          ? `Catching up: lag ${formatSeconds(lag)}, shrinking`
          : `Behind: lag ${formatSeconds(lag)}, steady`
    items.push({
      level: lag >= settings.lagCriticalSeconds ? 'critical' : 'warn',
      text: `${text} (${formatCount(waiting)} events waiting)`,
    })
  }
  return items
}

/** Dead letters and errors arriving over the last 10 seconds of chart points. */
function flowItems(points: readonly Point[], now: number): HealthItem[] {
  const items: HealthItem[] = []
  const recent = points.filter((p) => p.t > now - 10_000)
  const dlq = average(recent.map((p) => p.dlqPerSec))
  if (dlq !== null && dlq > 0) {
    items.push({
      level: 'warn',
      text: `Dead letters arriving: ${dlq.toFixed(dlq < 10 ? 1 : 0)}/s — see Dead letters`,
    })
  }
  const errors = average(recent.map((p) => p.errorsPerSec))
  if (errors !== null && errors > 0) {
    items.push({
      level: 'warn',
      text: `Errors: ${errors.toFixed(errors < 10 ? 1 : 0)}/s (produce errors, 5xx answers, landing retries)`,
    })
  }
  return items
}

/** When nothing is wrong: the latest intake rate and lag, if known. */
function healthyItems(points: readonly Point[]): HealthItem[] {
  const last = points.at(-1)
  const parts = [
    last?.eventsIn !== null && last?.eventsIn !== undefined ? `${formatRate(last.eventsIn)} in` : undefined,
    last?.lagSeconds !== null && last?.lagSeconds !== undefined
      ? `lag ${formatSeconds(last.lagSeconds)}`
      : undefined,
  ].filter(Boolean)
  return parts.length ? [{ level: 'ok', text: parts.join(', ') }] : []
}

function average(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null)
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null
}

/** Whether the lag in seconds rose or fell over the window (by more than a second and 10 %). */
export function lagTrend(points: readonly Point[], windowMs: number): 'growing' | 'shrinking' | 'steady' {
  const last = points.at(-1)
  if (!last || last.lagSeconds === null) return 'steady'
  const start = points.find((p) => p.t >= last.t - windowMs && p.lagSeconds !== null)
  if (!start || start === last || start.lagSeconds === null) return 'steady'
  const delta = last.lagSeconds - start.lagSeconds
  if (Math.abs(delta) < Math.max(1, 0.1 * start.lagSeconds)) return 'steady'
  return delta > 0 ? 'growing' : 'shrinking'
}
