// Layout rules that lint cannot express: kebab-case file names, one concept per file (split
// before ~400 lines), and tests that mirror sources (src/a/b.ts → test/a/b.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const MAX_LINES = 450
const problems: string[] = []

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

const kebab = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)*$/
for (const base of ['src', 'test', 'scripts', 'chaos']) {
  for (const file of walk(join(root, base))) {
    const rel = relative(root, file)
    const name = rel.split('/').at(-1) ?? ''
    if (rel.includes('/vendor/')) continue
    if (!kebab.test(name)) problems.push(`${rel}: file names are kebab-case`)
    if (file.endsWith('.ts')) {
      const lines = readFileSync(file, 'utf8').split('\n').length
      if (lines > MAX_LINES) problems.push(`${rel}: ${lines} lines; split it (limit ${MAX_LINES})`)
    }
    // integration tests and the attacker suite (test/security/) run against real services
    const standalone = rel.startsWith('test/integration/') || rel.startsWith('test/security/')
    if (base === 'test' && file.endsWith('.test.ts') && !standalone) {
      // test/scripts/ mirrors scripts/ (the tools of the repository), the rest mirrors src/
      const source = rel
        .replace(/^test\/scripts\//, 'scripts/')
        .replace(/^test\/(?!scripts\/)/, 'src/')
        .replace(/\.test\.ts$/, '.ts')
      try {
        statSync(join(root, source))
      } catch {
        problems.push(
          `${rel}: unit tests mirror a source file, but ${source} does not exist (integration tests go in test/integration/, attacker tests in test/security/)`,
        )
      }
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`layout check failed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`)
  process.exit(1)
}
process.stdout.write('layout check passed\n')
