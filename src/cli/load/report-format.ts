/**
 * A load report as the terminal table, the Markdown page and the JSON file that `sretl load`
 * writes under docs/load/.
 */
import { requestTotals, type LoadReport } from './slo-report.ts'

const count = (n: number) => Math.round(n).toLocaleString('en-US')
const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`
const verdict = (met: boolean | undefined, aim?: boolean) =>
  met === undefined ? 'n/a' : met ? 'met' : aim === true ? 'missed (aim)' : 'MISSED'

export function sloRows(report: LoadReport): string[][] {
  return report.slos.map((s) => [
    s.name,
    s.objective,
    s.measured,
    s.burn === undefined ? '' : s.burn.toFixed(2),
    verdict(s.met, s.aim),
  ])
}
export const SLO_HEADER = ['SLO', 'objective', 'measured', 'budget burn', 'verdict']

export function flowRows(report: LoadReport): [string, string][] {
  const m = report.measurements
  const requests = requestTotals(m.tills.byStatus)
  const share = (n: number) => (requests.total === 0 ? '—' : `${((n / requests.total) * 100).toFixed(2)} %`)
  const lat = m.latency
  return [
    ['events in (simulator + tills)', `${count(m.events.simulator)} + ${count(m.events.tills)}`],
    ['rows landed', count(m.rowsLanded)],
    ['dead letters', count(m.deadLetters)],
    [
      'e2e event→commit P50 / P95 / P99',
      lat ? [lat.p50, lat.p95, lat.p99].map((s) => `${Math.round(s * 1000)} ms`).join(' / ') : 'n/a',
    ],
    ['lag max', `${count(m.lag.maxMessages)} messages, ${m.lag.maxSeconds.toFixed(1)} s`],
    ['till requests', count(requests.total)],
    ['429 / 503 share', `${share(requests.throttled)} / ${share(requests.unavailable)}`],
    ...m.tills.latencyMs.map((t): [string, string] => [
      `till round trip, batches of ${t.batch}`,
      `P50 ${t.p50.toFixed(1)} / P95 ${t.p95.toFixed(1)} / P99 ${t.p99.toFixed(1)} ms (${count(t.requests)} requests)`,
    ]),
  ]
}

export function resourceRows(report: LoadReport): string[][] {
  const m = report.measurements
  const total = m.resources.reduce((sum, r) => sum + r.cpuShare, 0)
  return [
    ...m.resources.map((r) => [
      r.name,
      r.cpuSeconds.toFixed(1),
      `${(r.cpuShare * 100).toFixed(1)} %`,
      mb(r.peakMemoryBytes),
    ]),
    [
      'total',
      m.resources.reduce((sum, r) => sum + r.cpuSeconds, 0).toFixed(1),
      `${(total * 100).toFixed(1)} %`,
      '',
    ],
  ]
}
export const RESOURCE_HEADER = ['process', 'CPU seconds', 'of one core', 'peak memory (PSS)']

const markdownTable = (header: readonly string[], rows: readonly (readonly string[])[]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
  ].join('\n')

export function reportMarkdown(report: LoadReport, machine: string): string {
  const m = report.measurements
  return [
    `# Load run: profile ${m.profile}, ${m.startedAt}`,
    '',
    `${Math.round(m.durationSec)} s at a base rate of ${count(m.baseRatePerSec)} events/s on ${machine}. ` +
      `Verdict: **${report.met ? 'all SLOs met' : 'SLOs missed'}**. Written by \`sretl load\`.`,
    '',
    '## SLOs',
    '',
    markdownTable(SLO_HEADER, sloRows(report)),
    '',
    '## Flow',
    '',
    markdownTable(['measure', 'value'], flowRows(report)),
    '',
    '## Resources over the run',
    '',
    markdownTable(RESOURCE_HEADER, resourceRows(report)),
    '',
  ].join('\n')
}
