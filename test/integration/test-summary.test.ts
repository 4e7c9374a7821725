/**
 * The CI check that no test was skipped and every test file ran (npm run test:summary), against a
 * throwaway project run by a real `node --test` with the summary reporter, as `npm test` runs it.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ROOT } from '../support/harness.ts'

const REPORTER = join(ROOT, 'test/support/summary-reporter.ts')
const CHECK = join(ROOT, 'scripts/check-test-summary.ts')
const project = mkdtempSync(join(tmpdir(), 'sretl-summary-'))
after(() => rmSync(project, { recursive: true, force: true }))

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // without the parent's NODE_TEST_CONTEXT the inner node --test reports on its own, as in CI
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: project, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

function write(name: string, source: string): string {
  const path = join(project, 'test', name)
  mkdirSync(join(project, 'test'), { recursive: true })
  writeFileSync(path, `import { describe, test } from 'node:test'\n${source}\n`)
  return `test/${name}`
}

async function nodeTestThenCheck(files: readonly string[], summary: string) {
  await run(['--test', `--test-reporter=${REPORTER}`, `--test-reporter-destination=${summary}`, ...files])
  return run([CHECK, summary, project])
}

test('the test summary check should pass a run in which every file ran tests and none was skipped', async () => {
  const passing = write(
    'passing.test.ts',
    "test('one', () => {})\ndescribe('s', () => { test('two', () => {}) })",
  )
  const result = await nodeTestThenCheck([passing], 'clean.json')
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /test summary: 1 test files, 2 tests passed, none skipped/)
})

test('the test summary check should fail on a skipped test, a skipped suite, a todo, an empty file and a file that did not run', async () => {
  const files = [
    write(
      'skipping.test.ts',
      "test('runs', () => {})\ntest('needs promtool', { skip: 'promtool is not installed' }, () => {})",
    ),
    write(
      'suite.test.ts',
      "test('runs', () => {})\ndescribe('monitoring', { skip: true }, () => { test('x', () => {}) })",
    ),
    write('todo.test.ts', "test('runs', () => {})\ntest.todo('later')"),
    write('empty.test.ts', '// registers no test'),
  ]
  write('never-run.test.ts', "test('x', () => {})")
  const result = await nodeTestThenCheck(files, 'dirty.json')
  assert.equal(result.code, 1)
  const problems = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.trim())
    .sort()
  assert.deepEqual(problems, [
    'skipped or todo: test/skipping.test.ts: needs promtool (promtool is not installed)',
    'skipped or todo: test/suite.test.ts: monitoring',
    'skipped or todo: test/todo.test.ts: later',
    'test/empty.test.ts: ran no test (not loaded, or every test skipped)',
    'test/never-run.test.ts: ran no test (not loaded, or every test skipped)',
    // (the first test's file, not run this time)
    'test/passing.test.ts: ran no test (not loaded, or every test skipped)',
  ])
})
