/**
 * What `sretl smoke` makes of firing alerts (issue 21, item 3). An error-budget burn alert looks
 * back over minutes to days: right after a restart that follows an outage it still fires for the
 * events that landed late (or the 5xx answers given) during the outage, although the pipeline is
 * fine now. So a burn alert is judged by the pipeline's state now — the lander's lag, the share of
 * the last 30 seconds' events that landed late, the gateway's 5xx share over the same seconds:
 * fine now → WARN, expected after an outage, it burns down by itself; not fine now → FAIL.
 * Every other unexpected alert fails as before.
 */
import type { ActiveAlert } from '../observability/prometheus-api.ts'

/** The runbook entry that explains burn alerts after an outage. */
export const AFTER_OUTAGE_RUNBOOK = 'docs/runbook.md#after-an-outage-burn-rate-alerts'

/** Freshness SLO: landed within 5 s of event_time, 1 % budget; ingest: 0.1 % 5xx budget. */
const FRESH_SECONDS = 5
const LATE_BUDGET = 0.01
const ERROR_BUDGET = 0.001

/** The pipeline now, read from Prometheus; undefined: no reading (or nothing to measure). */
export interface NowReading {
  /** max(sretl_lander_lag_seconds): how long the oldest waiting event has waited. */
  readonly lagSeconds: number | undefined
  /** Share of the events landed in the last 30 s that landed over 5 s after their event_time. */
  readonly lateShare: number | undefined
  /** Share of POST /v1/sales answered 5xx in the last 30 s. */
  readonly errorShare: number | undefined
}

/** PromQL of each reading (30 s windows: several scrapes at the local 5 s interval). */
export const NOW_QUERIES: Readonly<Record<keyof NowReading, string>> = {
  lagSeconds: 'max(sretl_lander_lag_seconds)',
  lateShare:
    '1 - sum(rate(sretl_lander_event_to_commit_seconds_bucket{le=~"5|5\\\\.0"}[30s])) / sum(rate(sretl_lander_event_to_commit_seconds_count[30s]))',
  errorShare:
    '(sum(rate(sretl_gateway_requests_total{route=~".*/v1/sales", status=~"5.."}[30s])) or vector(0)) / sum(rate(sretl_gateway_requests_total{route=~".*/v1/sales"}[30s]))',
}

export interface AlertJudgement {
  readonly status: 'PASS' | 'WARN' | 'FAIL'
  readonly detail: string
  /** Plain explanations, one per line, printed under the table. */
  readonly more: readonly string[]
}

const percent = (share: number): string =>
  `${(share * 100).toFixed(share < 0.1 ? 1 : 0).replace(/\.0$/, '')} %`
const seconds = (s: number): string => `${s < 10 ? s.toFixed(1) : Math.round(s)} s`

/** Whether the SLO the alert guards is met now, and the figures that say so. */
function sloNow(slo: string, now: NowReading): { fine: boolean; figures: string } {
  if (slo === 'ingest-availability') {
    const fine = now.errorShare === undefined || now.errorShare <= ERROR_BUDGET
    return {
      fine,
      figures:
        now.errorShare === undefined
          ? 'no ingest requests in the last 30 s'
          : `${percent(now.errorShare)} of the last 30 s's ingest requests answered 5xx`,
    }
  }
  const lag = now.lagSeconds
  const lagFine = lag !== undefined && lag <= FRESH_SECONDS
  const lateFine = now.lateShare === undefined || now.lateShare <= LATE_BUDGET
  const figures = [
    lag === undefined ? 'no lag reading' : `lag ${seconds(lag)}`,
    now.lateShare === undefined
      ? 'no events landed in the last 30 s'
      : `${percent(now.lateShare)} of the last 30 s's events landed over ${FRESH_SECONDS} s late`,
  ].join(', ')
  return { fine: lagFine && lateFine, figures }
}

export function judgeAlerts(
  firing: readonly ActiveAlert[],
  expected: readonly string[],
  now: NowReading,
): AlertJudgement {
  const names = (list: readonly ActiveAlert[]): string => [...new Set(list.map((a) => a.name))].join(', ')
  const allowed = firing.filter((a) => expected.includes(a.name))
  const unexpected = firing.filter((a) => !expected.includes(a.name))
  const burns = unexpected.filter((a) => a.labels.slo !== undefined)
  const others = unexpected.filter((a) => a.labels.slo === undefined)
  const afterOutage: ActiveAlert[] = []
  const brokenNow: ActiveAlert[] = []
  const more: string[] = []
  for (const alert of burns) {
    const slo = alert.labels.slo ?? ''
    const state = sloNow(slo, now)
    const what =
      slo === 'ingest-availability'
        ? 'ingest answered 5xx (503: Kafka slow or down) during an earlier outage'
        : 'events landed late during an earlier outage (they waited while a part was down, then landed in the catch-up)'
    if (state.fine) {
      afterOutage.push(alert)
      more.push(
        `${alert.name}: expected after an outage, not broken now — ${what}; the pipeline is on time now (${state.figures}). The alert burns down by itself once its short window holds no more of them (minutes for the fast alert, hours for the slow one); see ${AFTER_OUTAGE_RUNBOOK}.`,
      )
    } else {
      brokenNow.push(alert)
      more.push(
        `${alert.name}: broken now — ${state.figures}; see docs/runbook.md#${alert.name.toLowerCase()}.`,
      )
    }
  }
  for (const alert of others) {
    more.push(`${alert.name}: firing; see docs/runbook.md#${alert.name.toLowerCase()}.`)
  }
  const failing = [...others, ...brokenNow]
  if (failing.length > 0) {
    return {
      status: 'FAIL',
      detail: `firing: ${names(failing)}${brokenNow.length > 0 ? ' (broken now)' : ''}${afterOutage.length > 0 ? `; expected after an outage: ${names(afterOutage)}` : ''}`,
      more,
    }
  }
  if (afterOutage.length > 0) {
    return {
      status: 'WARN',
      detail: `firing after an outage, pipeline on time now: ${names(afterOutage)}`,
      more,
    }
  }
  return {
    status: 'PASS',
    detail: allowed.length === 0 ? 'no alert firing' : `only expected alerts firing: ${names(allowed)}`,
    more: [],
  }
}
