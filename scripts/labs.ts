/**
 * `npm run labs`: runs every command of every lab in docs/labs against the running stack and
 * checks its output (ADR 0057), so the labs cannot rot. Progress per step; the first failure
 * stops the run with the block's line, the problem and the command's output.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { labEnvironment, LAB_TOOLS, missingTools } from './labs/environment.ts'
import { parseLab, type Lab } from './labs/parse.ts'
import { runStep } from './labs/run-step.ts'

const ROOT = resolve(import.meta.dirname, '..')
const LABS_DIR = join(ROOT, 'docs/labs')

const HELP = `Usage: npm run labs [-- options]

Runs every \`sh lab\` block of every lab in docs/labs/ against the running stack (start it with
\`npm start\` first) and checks each \`expected\` block; \`sh manual\` blocks are only shown. The
convention: docs/decisions/0057-labs-checked-by-a-runner.md.

Options:
  --only <names>  Only these labs (comma-separated file names or their number prefixes: 01,03).
  --list          List the labs and their steps; run nothing.
  --verbose       Print every command's output, not only a failing one's.
  -h, --help      Show this help.

Needs: ${LAB_TOOLS.join(', ')} (a missing one fails the run).`

function loadLabs(only: readonly string[] | undefined): Lab[] {
  const files = readdirSync(LABS_DIR)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .filter((f) => !only || only.some((o) => f === o || f.startsWith(`${o}-`) || f === `${o}.md`))
  if (files.length === 0) throw new Error(`no lab in ${LABS_DIR} matches ${only?.join(',') ?? ''}`)
  return files.map((f) => parseLab(readFileSync(join(LABS_DIR, f), 'utf8'), `docs/labs/${f}`))
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

async function runLabs(labs: readonly Lab[], verbose: boolean): Promise<boolean> {
  const env = await labEnvironment(process.env)
  const started = Date.now()
  for (const [i, lab] of labs.entries()) {
    process.stdout.write(`\n[${i + 1}/${labs.length}] ${lab.title} (${lab.file})\n`)
    for (const [j, step] of lab.steps.entries()) {
      const first = step.command.split('\n')[0] ?? ''
      const at = Date.now()
      const outcome = await runStep(step, ROOT, env)
      const mark = outcome.ok ? '✓' : '✗'
      const tries = outcome.attempts > 1 ? `, ${outcome.attempts} tries` : ''
      process.stdout.write(
        `  ${mark} step ${j + 1}/${lab.steps.length} ${first.slice(0, 90)} (${seconds(Date.now() - at)}${tries})\n`,
      )
      if (verbose || !outcome.ok)
        process.stdout.write(outcome.output.replace(/\r/g, '').replace(/^/gm, '      │ ') + '\n')
      if (!outcome.ok) {
        process.stderr.write(`labs: ${lab.file}:${step.line}: ${outcome.problem ?? 'failed'}\n`)
        return false
      }
    }
  }
  process.stdout.write(`\nAll ${labs.length} lab(s) passed in ${seconds(Date.now() - started)}.\n`)
  return true
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      list: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  const labs = loadLabs(values.only?.split(',').map((s) => s.trim()))
  if (values.list) {
    for (const lab of labs) {
      process.stdout.write(`${lab.file}: ${lab.title} (${lab.steps.length} steps)\n`)
    }
    return 0
  }
  const missing = missingTools(process.env)
  if (missing.length > 0) {
    process.stderr.write(
      `labs: ${missing.join(', ')} not installed (apt-get install ${missing.join(' ')}); the labs need them\n`,
    )
    return 1
  }
  return (await runLabs(labs, values.verbose === true)) ? 0 : 1
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`labs: ${(err as Error).message}\n`)
    process.exitCode = 2
  }
}
