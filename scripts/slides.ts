/**
 * `npm run slides`: renders slides/deck.md with Marp's CLI to HTML (and PDF with --pdf, through
 * Debian's chromium). Every `<!-- bench: <section> -->` marker is replaced by the newest results
 * table of that section of docs/benchmarks.md, with its heading, so the figures on the slides are
 * the measured ones and never typed in twice.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const ROOT = resolve(import.meta.dirname, '..')
const MARKER = /<!--\s*bench:\s*(.+?)\s*-->/g

/** The first table under the first results heading (###) of the `## <prefix>…` section. */
export function benchmarkTable(benchmarks: string, sectionPrefix: string): string {
  const lines = benchmarks.split('\n')
  const start = lines.findIndex((l) => l.startsWith('## ') && l.slice(3).startsWith(sectionPrefix))
  if (start < 0) throw new Error(`docs/benchmarks.md has no section "## ${sectionPrefix}…"`)
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '))
  const section = lines.slice(start + 1, end < 0 ? undefined : end)
  const heading = section.findIndex((l) => /^### (Results|Figures)/.test(l))
  if (heading < 0) throw new Error(`section "${sectionPrefix}" has no "### Results" or "### Figures" heading`)
  const first = section.findIndex((l, i) => i > heading && l.startsWith('|'))
  if (first < 0) throw new Error(`section "${sectionPrefix}" has no results table`)
  let last = first
  while (section[last + 1]?.startsWith('|')) last++
  const title = (section[heading] ?? '').replace(/^### /, '')
  return [`*${title} — from docs/benchmarks.md*`, '', ...section.slice(first, last + 1)].join('\n')
}

export function expandDeck(deck: string, benchmarks: string): string {
  return deck.replace(MARKER, (_m, prefix: string) => benchmarkTable(benchmarks, prefix))
}

function main(): number {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(ROOT, 'build', 'slides') },
      pdf: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(
      'Usage: npm run slides -- [--out <dir>] [--pdf]\n\nRenders slides/deck.md with the figures of docs/benchmarks.md to <dir>/deck.html (default build/slides), and with --pdf also deck.pdf through chromium (CHROME_PATH, default /usr/bin/chromium).',
    )
    return 0
  }
  const out = resolve(values.out)
  mkdirSync(out, { recursive: true })
  const deck = expandDeck(
    readFileSync(join(ROOT, 'slides', 'deck.md'), 'utf8'),
    readFileSync(join(ROOT, 'docs', 'benchmarks.md'), 'utf8'),
  )
  const source = join(out, 'deck.md')
  writeFileSync(source, deck)
  const marp = join(ROOT, 'node_modules', '.bin', 'marp')
  const render = (args: string[]): void => {
    console.log(`marp ${args.join(' ')}`)
    const result = spawnSync(marp, args, { stdio: 'inherit', env: process.env })
    if (result.status !== 0) throw new Error(`marp failed (exit ${String(result.status)})`)
  }
  render([source, '--html', '-o', join(out, 'deck.html')])
  if (values.pdf) {
    const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium'
    if (!existsSync(chrome)) {
      throw new Error(`a PDF needs chromium at ${chrome} (apt-get install chromium, or set CHROME_PATH)`)
    }
    process.env.CHROME_PATH = chrome
    render([source, '--pdf', '--allow-local-files', '-o', join(out, 'deck.pdf')])
  }
  console.log(`slides: ${join(out, 'deck.html')}${values.pdf ? ` and ${join(out, 'deck.pdf')}` : ''}`)
  return 0
}

if (import.meta.filename === process.argv[1]) {
  try {
    process.exitCode = main()
  } catch (err) {
    console.error(`slides: ${(err as Error).message}`)
    process.exitCode = 1
  }
}
