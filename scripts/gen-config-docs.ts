// Rewrites the variable tables of docs/configuration.md from the config sections' own
// descriptions (between the generated markers), so the docs cannot drift from the code.
import { readFileSync, writeFileSync } from 'node:fs'
import { allConfigSections } from '../src/cli/settings.ts'
import { describeSection } from '../src/platform/config.ts'

const file = new URL('../docs/configuration.md', import.meta.url)
const doc = readFileSync(file, 'utf8')
const start = '<!-- generated:config:start -->'
const end = '<!-- generated:config:end -->'
const tables = Object.entries(allConfigSections)
  .map(([name, section]) => {
    const rows = describeSection(section).map(
      (v) =>
        `| \`${v.name}\` | ${defaultOf((section.shape as Record<string, unknown>)[v.name])} | ${v.description.replaceAll('|', '\\|')} |`,
    )
    return `### ${name}\n\n| variable | default | meaning |\n|---|---|---|\n${rows.join('\n')}\n`
  })
  .join('\n')
const startAt = doc.indexOf(start)
const endAt = doc.indexOf(end)
if (startAt < 0 || endAt < 0) throw new Error(`docs/configuration.md needs the markers ${start} and ${end}`)
writeFileSync(file, `${doc.slice(0, startAt + start.length)}\n\n${tables}\n${doc.slice(endAt)}`)

function defaultOf(schema: unknown): string {
  try {
    const parsed = (schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(
      undefined,
    )
    if (!parsed.success || parsed.data === undefined) return '—'
    const value = Array.isArray(parsed.data)
      ? parsed.data.join(',')
      : JSON.stringify(parsed.data).replace(/^"|"$/g, '')
    return value === '' ? '(empty)' : `\`${value}\``
  } catch {
    return '—'
  }
}
