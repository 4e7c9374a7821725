/**
 * A node:test reporter used next to spec by `npm test`: it writes one JSON summary (per test file:
 * tests passed, failed, skipped, todo; the coverage totals) that `npm run test:summary`
 * (scripts/check-test-summary.ts) checks, so CI fails when a test was skipped or a test file never
 * ran a test, which node --test itself reports as a pass.
 */
import { relative, resolve } from 'node:path'

export interface FileSummary {
  passed: number
  failed: number
  skipped: number
  todo: number
}

export interface TestSummary {
  readonly files: Record<string, FileSummary>
  /** Failures not attached to a file (e.g. the global setup). */
  readonly unattributed: FileSummary
  /** Names of the skipped and todo tests, "file: name (reason)". */
  readonly notRun: string[]
  coverage: { lines: number; branches: number; functions: number } | null
}

interface TestEventData {
  name?: string
  file?: string
  skip?: boolean | string
  todo?: boolean | string
  details?: { type?: 'suite' | 'test' }
  summary?: {
    totals?: { coveredLinePercent: number; coveredBranchPercent: number; coveredFunctionPercent: number }
  }
}

const empty = (): FileSummary => ({ passed: 0, failed: 0, skipped: 0, todo: 0 })

export default async function* summaryReporter(
  source: AsyncIterable<{ type: string; data?: TestEventData }>,
): AsyncGenerator<string> {
  const summary: TestSummary = { files: {}, unattributed: empty(), notRun: [], coverage: null }
  for await (const event of source) {
    const data = event.data ?? {}
    if (event.type === 'test:coverage') {
      const totals = data.summary?.totals
      if (totals) {
        summary.coverage = {
          lines: totals.coveredLinePercent,
          branches: totals.coveredBranchPercent,
          functions: totals.coveredFunctionPercent,
        }
      }
      continue
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const file = data.file === undefined ? undefined : relative(process.cwd(), data.file)
    const counts = file === undefined ? summary.unattributed : (summary.files[file] ??= empty())
    const why = data.skip ?? data.todo
    if (why !== undefined && why !== false) {
      // a skipped suite runs none of its tests: it counts, whatever its type
      if (data.skip !== undefined && data.skip !== false) counts.skipped += 1
      else counts.todo += 1
      summary.notRun.push(`${file ?? '?'}: ${data.name ?? '?'}${typeof why === 'string' ? ` (${why})` : ''}`)
    } else if (event.type === 'test:fail') {
      counts.failed += 1
    } else if (data.details?.type !== 'suite' && resolve(data.name ?? '') !== data.file) {
      // (a file that registers no test is reported as one passing test named by its path as given)
      counts.passed += 1
    }
  }
  yield `${JSON.stringify(summary, null, 1)}\n`
}
