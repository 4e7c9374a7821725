/**
 * The SLO report of a load run, from what was measured: pure, so the verdicts and the error-budget
 * arithmetic are unit-tested. The objectives are ADR 0021's (freshness 99 % within 5 s, ingest
 * availability 99.9 %) and the seed's floors (P95 event→commit under 5 s, lag under 60 s); the
 * aim of P95 ≤ 250 ms is reported beside them without failing the run.
 */
import type { ServiceUsage } from './usage-sampler.ts'

export interface Quantiles {
  readonly p50: number
  readonly p95: number
  readonly p99: number
}

export interface TillLatency extends Quantiles {
  readonly batch: number
  readonly requests: number
}

export interface LoadMeasurements {
  readonly profile: string
  readonly startedAt: string
  readonly durationSec: number
  readonly baseRatePerSec: number
  readonly events: { readonly simulator: number; readonly tills: number }
  readonly rowsLanded: number
  readonly deadLetters: number
  /** Seconds from event_time to commit (Prometheus, the lander's histogram); undefined without Prometheus. */
  readonly latency: (Quantiles & { readonly withinFiveSeconds: number; readonly events: number }) | undefined
  readonly lag: { readonly maxMessages: number; readonly maxSeconds: number }
  /** The tills' answers by HTTP status (0: no answer) and their round trips in ms by batch size. */
  readonly tills: {
    readonly byStatus: Readonly<Record<string, number>>
    readonly latencyMs: readonly TillLatency[]
  }
  readonly resources: readonly ServiceUsage[]
  /** Rows landed and dead letters reached the events produced within the catch-up time after the run. */
  readonly drained: boolean
}

export interface SloVerdict {
  readonly name: string
  readonly objective: string
  readonly measured: string
  /** Error-budget burn over the run: 1 spends the budget exactly at the objective's edge. */
  readonly burn: number | undefined
  readonly met: boolean | undefined
  /** An aim, reported but not failing the run. */
  readonly aim?: boolean
}

export interface LoadReport {
  readonly measurements: LoadMeasurements
  readonly slos: readonly SloVerdict[]
  readonly met: boolean
}

const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`
const pct = (share: number, digits = 2) => `${(share * 100).toFixed(digits)} %`

export function requestTotals(byStatus: Readonly<Record<string, number>>) {
  let total = 0
  let serverErrors = 0
  let throttled = 0
  for (const [status, n] of Object.entries(byStatus)) {
    total += n
    const code = Number(status)
    if (code === 0 || code >= 500) serverErrors += n
    if (code === 429) throttled += n
  }
  return { total, serverErrors, throttled, unavailable: byStatus['503'] ?? 0 }
}

export function judge(m: LoadMeasurements): LoadReport {
  const slos: SloVerdict[] = []
  const lat = m.latency
  const noLatency = 'not measured (Prometheus did not answer)'
  slos.push({
    name: 'freshness',
    objective: '99 % of events committed within 5 s (ADR 0021)',
    measured: lat ? `${pct(lat.withinFiveSeconds)} of ${lat.events.toLocaleString('en-US')}` : noLatency,
    burn: lat ? (1 - lat.withinFiveSeconds) / 0.01 : undefined,
    met: lat ? lat.withinFiveSeconds >= 0.99 : undefined,
  })
  slos.push({
    name: 'e2e P95',
    objective: 'P95 event→commit < 5 s (seed)',
    measured: lat ? ms(lat.p95) : noLatency,
    burn: undefined,
    met: lat ? lat.p95 < 5 : undefined,
  })
  slos.push({
    name: 'e2e P95 aim',
    objective: 'P95 event→commit ≤ 250 ms',
    measured: lat ? ms(lat.p95) : noLatency,
    burn: undefined,
    met: lat ? lat.p95 <= 0.25 : undefined,
    aim: true,
  })
  slos.push({
    name: 'lag',
    objective: 'lag < 60 s at every sample (seed)',
    measured: `max ${m.lag.maxSeconds.toFixed(1)} s, ${m.lag.maxMessages.toLocaleString('en-US')} messages`,
    burn: undefined,
    met: m.lag.maxSeconds < 60,
  })
  const requests = requestTotals(m.tills.byStatus)
  const badShare = requests.total === 0 ? 0 : requests.serverErrors / requests.total
  slos.push({
    name: 'availability',
    objective: '99.9 % of till requests without a 5xx (ADR 0021)',
    measured: requests.total === 0 ? 'no till requests' : `${pct(1 - badShare, 3)} of ${requests.total}`,
    burn: requests.total === 0 ? undefined : badShare / 0.001,
    met: requests.total === 0 ? undefined : badShare <= 0.001,
  })
  const produced = m.events.simulator + m.events.tills
  const unaccounted = produced - m.rowsLanded - m.deadLetters
  slos.push({
    name: 'caught up',
    objective: 'every event in landed or dead-lettered by the end of the catch-up',
    measured: m.drained
      ? `${m.rowsLanded.toLocaleString('en-US')} landed + ${m.deadLetters.toLocaleString('en-US')} dead letters for ${produced.toLocaleString('en-US')} in`
      : `${unaccounted.toLocaleString('en-US')} still to land when the catch-up timed out`,
    burn: undefined,
    met: m.drained,
  })
  const met = slos.every((s) => s.aim === true || s.met !== false) && slos.some((s) => s.met === true)
  return { measurements: m, slos, met: met && lat !== undefined }
}
