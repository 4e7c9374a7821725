// `npm run test:summary`, run by .ci/run after `npm test`: node --test passes a run in which a test
// was skipped (a missing tool, a `skip` left in) or a file registered no test at all, so this reads
// the summary test/support/summary-reporter.ts wrote and fails unless every test file under test/
// ran at least one test and nothing was skipped, left todo or failed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import type { TestSummary } from '../test/support/summary-reporter.ts'

// arguments (both optional): the summary file, and the project whose test/ folder is expected
const root = resolve(process.argv[3] ?? new URL('..', import.meta.url).pathname)
const summaryPath = resolve(root, process.argv[2] ?? 'test-artifacts/test-summary.json')

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

if (!existsSync(summaryPath)) {
  process.stderr.write(`no test summary at ${relative(root, summaryPath)}: run npm test first\n`)
  process.exit(1)
}
const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as TestSummary
const problems: string[] = []
const expected = walk(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => relative(root, f))
  .sort()
for (const file of expected) {
  const counts = summary.files[file]
  if (counts === undefined || counts.passed + counts.failed === 0) {
    problems.push(`${file}: ran no test (not loaded, or every test skipped)`)
  }
}
for (const [file, counts] of Object.entries(summary.files)) {
  if (counts.failed > 0) problems.push(`${file}: ${counts.failed} failed`)
}
if (summary.unattributed.failed > 0)
  problems.push(`${summary.unattributed.failed} failures outside any test file`)
for (const name of summary.notRun) problems.push(`skipped or todo: ${name}`)

const total = Object.values(summary.files).reduce((n, c) => n + c.passed, 0)
const coverage = summary.coverage
  ? `; coverage lines ${summary.coverage.lines.toFixed(2)}%, branches ${summary.coverage.branches.toFixed(2)}%, functions ${summary.coverage.functions.toFixed(2)}%`
  : ''
if (problems.length > 0) {
  process.stderr.write(`test summary check failed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`)
  process.exit(1)
}
process.stdout.write(
  `test summary: ${expected.length} test files, ${total} tests passed, none skipped${coverage}\n`,
)
