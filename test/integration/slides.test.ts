import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { benchmarkTable, expandDeck } from '../../scripts/slides.ts'
import { ROOT } from '../support/harness.ts'

const benchmarks = readFileSync(join(ROOT, 'docs/benchmarks.md'), 'utf8')

test('npm run slides should render HTML and a PDF whose figures are the newest ones in benchmarks.md', () => {
  const out = mkdtempSync(join(tmpdir(), 'sretl-slides-'))
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts/slides.ts'), '--out', out, '--pdf'], {
    encoding: 'utf8',
    timeout: 180_000,
  })
  assert.equal(run.status, 0, run.stdout + run.stderr)
  const html = readFileSync(join(out, 'deck.html'), 'utf8')
  assert.ok(!html.includes('bench:'), 'every figure marker was replaced')
  // the drill's newest row, as benchmarks.md has it
  const drill = benchmarkTable(benchmarks, 'drill:restore').split('\n').at(-1) ?? ''
  const events = drill.split('|')[1]?.trim() ?? ''
  assert.match(events, /^[\d,]+$/)
  assert.ok(html.includes(`>${events}<`), `the drill's ${events} events are on a slide`)
  assert.equal(readFileSync(join(out, 'deck.pdf')).subarray(0, 5).toString(), '%PDF-')
})

test('a slide asking for a section benchmarks.md does not have should stop the build naming it', () => {
  assert.throws(
    () => expandDeck('<!-- bench: no such bench -->', benchmarks),
    /no section "## no such bench…"/,
  )
  assert.match(
    expandDeck('x <!-- bench: bench:ingest --> y', benchmarks),
    /^x \*Results — .* from docs\/benchmarks\.md\*\n\n\|/,
  )
})
