/** The lander's part of `sretl status`: read from its /status, when it runs. */
import { errorMessage } from '../../platform/errors.ts'
import { formatCount, formatDuration, type Ui } from '../ui.ts'

export interface LanderReport {
  url: string
  reachable: boolean
  state?: string
  since?: string
  lastError?: string
  rows?: number
  duplicates?: number
  deadLetters?: number
  batches?: number
  lastCommitAt?: string | null
  lagMessages?: number
  maxLagSeconds?: number
  partitions?: { partition: number; state: string; lagMessages: number | null }[]
  latencyMs?: { eventToCommit: Percentiles; produceToCommit: Percentiles; samples: number }
  defaultPartitionRows?: number | null
  /** The aggregates' watermark and publishing (null when AGGREGATES_ENABLED=false). */
  aggregates?: AggregatesReply | null
  error?: string
}

interface AggregatesReply {
  watermark: string | null
  unpublished: Record<string, number> | null
  graceMs: number
  lastError: { code: string; message: string } | null
}

interface Percentiles {
  p50: number | null
  p95: number | null
  p99: number | null
}

interface LanderStatusReply {
  state: string
  since: string
  lastError?: { message: string }
  details: {
    partitions: { partition: number; state: string; lagMessages: number | null; lagSeconds: number | null }[]
    totals: { rows: number; duplicates: number; deadLetters: number; batches: number }
    lastCommitAt: string | null
    latencyMs: { eventToCommit: Percentiles; produceToCommit: Percentiles; samples: number }
    maintenance?: { defaultPartitionRows: number | null }
    aggregates?: AggregatesReply | null
  }
}

export async function probeLander(url: string): Promise<LanderReport> {
  try {
    const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) })
    const body = (await response.json()) as LanderStatusReply
    const d = body.details
    return {
      url,
      reachable: true,
      state: body.state,
      since: body.since,
      ...(body.lastError ? { lastError: body.lastError.message } : {}),
      rows: d.totals.rows,
      duplicates: d.totals.duplicates,
      deadLetters: d.totals.deadLetters,
      batches: d.totals.batches,
      lastCommitAt: d.lastCommitAt,
      lagMessages: d.partitions.reduce((sum, p) => sum + (p.lagMessages ?? 0), 0),
      maxLagSeconds: Math.max(0, ...d.partitions.map((p) => p.lagSeconds ?? 0)),
      partitions: d.partitions.map((p) => ({
        partition: p.partition,
        state: p.state,
        lagMessages: p.lagMessages,
      })),
      latencyMs: d.latencyMs,
      defaultPartitionRows: d.maintenance?.defaultPartitionRows ?? null,
      aggregates: d.aggregates ?? null,
    }
  } catch (err) {
    return { url, reachable: false, error: errorMessage(err) }
  }
}

export function printLander(ui: Ui, report: LanderReport, now = Date.now()): void {
  if (!report.reachable) {
    ui.line(`Lander ${report.url}: not running (start it with \`sretl up\` or \`sretl run lander\`)`)
    return
  }
  ui.line(`Lander ${report.url}: ${report.state ?? '?'} since ${report.since ?? '?'}`)
  if (report.lastError && report.state === 'FAILED') ui.line(`  last error: ${report.lastError}`)
  const lastCommit = report.lastCommitAt
    ? `, last commit ${formatDuration(now - Date.parse(report.lastCommitAt))} ago`
    : ''
  ui.line(
    `  landed ${formatCount(report.rows ?? 0)} rows (${formatCount(report.duplicates ?? 0)} duplicates, ${formatCount(report.deadLetters ?? 0)} dead letters) in ${formatCount(report.batches ?? 0)} batches${lastCommit}`,
  )
  const states = [...new Set((report.partitions ?? []).map((p) => p.state))].join('/') || 'none assigned'
  // lag per partition is printed with the components (status.ts); here only the partitions' states
  ui.line(`  ${report.partitions?.length ?? 0} partitions assigned (${states})`)
  const l = report.latencyMs
  if (l && l.samples > 0) {
    const ms = (v: number | null): string => (v === null ? '-' : `${formatCount(v)} ms`)
    ui.line(
      `  event→commit P50 ${ms(l.eventToCommit.p50)}, P95 ${ms(l.eventToCommit.p95)}, P99 ${ms(l.eventToCommit.p99)}; produce→commit P95 ${ms(l.produceToCommit.p95)} (last ${formatCount(l.samples)} rows)`,
    )
  }
  const a = report.aggregates
  if (a) {
    const waiting = Object.values(a.unpublished ?? {}).reduce((sum, n) => sum + n, 0)
    ui.line(
      `  aggregates: watermark ${a.watermark ?? 'not yet'}, grace ${formatDuration(a.graceMs)}, ${formatCount(waiting)} rows waiting to be published${a.lastError ? `; ${a.lastError.code}: ${a.lastError.message}` : ''}`,
    )
  } else if (report.aggregates === null) {
    ui.line('  aggregates: off (AGGREGATES_ENABLED=false)')
  }
}
