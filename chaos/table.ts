/** The chaos suite's results as a Markdown table (the one docs/reliability.md shows). */
import { passed, type ScenarioResult } from './runner.ts'

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

export function recoverText(r: ScenarioResult): string {
  if (r.recoverMs.length === 0) return '—'
  const max = Math.max(...r.recoverMs)
  return r.recoverMs.length === 1 ? s(max) : `≤ ${s(max)} (${r.recoverMs.length} faults)`
}

export function resultTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | events (via gateway) | lost | doubled | unexpected | time to recover | max lag | dead letters (sent again) | offsets at end | verify (in flight) | result |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
  ]
  for (const r of results) {
    const c = r.checks
    lines.push(
      `| ${r.id} ${r.title} | ${r.events} (${r.viaGateway}) | ${c.lost} | ${c.doubled} | ${c.unexpected} | ${recoverText(r)} | ${r.maxLag} | ${c.deadLetters} of ${r.expectedDeadLetters} (${c.deadLetterMessages - c.deadLetters}) | ${c.offsetsBehind === 0 ? 'yes' : `${c.offsetsBehind} behind`} | ${c.verifyDifferences} (${c.verifyInFlight}) | ${passed(r) ? 'pass' : 'FAIL'} |`,
    )
  }
  return lines.join('\n')
}
