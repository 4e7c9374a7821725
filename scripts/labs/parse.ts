/**
 * Reads a lab (docs/labs/*.md) into the commands the runner runs (ADR 0057). Fenced blocks:
 * - ```sh lab [retry=S] [timeout=S]  a command the runner runs with bash (-euo pipefail);
 * - ```expected                      lines, each a regular expression the output of the
 *                                     `sh lab` block just before must match (multiline);
 * - ```sh manual                     shown to people, never run (a browser, a long watch);
 * - any other language (sql, json, text) is prose the runner leaves alone.
 * A bare ```sh / ```bash / ```shell is an error, so no command escapes the runner by accident.
 */

export interface LabStep {
  readonly command: string
  /** 1-based line of the block's opening fence, for messages. */
  readonly line: number
  readonly expected: readonly RegExp[]
  /** Run again every second until `expected` matches, for at most this many seconds (0: once). */
  readonly retrySeconds: number
  /** The longest one run may take. */
  readonly timeoutSeconds: number
}

export interface Lab {
  readonly file: string
  readonly title: string
  readonly steps: readonly LabStep[]
}

export const REQUIRED_SECTIONS = ['Goal', 'Steps', 'Expected output', 'What just happened'] as const

const SHELLS = new Set(['sh', 'bash', 'shell', 'console'])
const DEFAULT_TIMEOUT_SECONDS = 60

export class LabFormatError extends Error {}

interface Fence {
  readonly info: string[]
  readonly body: string
  readonly line: number
}

function fences(markdown: string, file: string): Fence[] {
  const lines = markdown.split('\n')
  const out: Fence[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(.*)$/.exec(lines[i] ?? '')
    if (!open) continue
    const marker = open[1] ?? '```'
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !(lines[i] ?? '').startsWith(marker); i++) body.push(lines[i] ?? '')
    if (i >= lines.length) throw new LabFormatError(`${file}:${start + 1}: a fenced block is not closed`)
    out.push({
      info: (open[2] ?? '').trim().split(/\s+/).filter(Boolean),
      body: body.join('\n'),
      line: start + 1,
    })
  }
  return out
}

function attribute(info: readonly string[], name: string, where: string): number | undefined {
  const raw = info.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1)
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 600) {
    throw new LabFormatError(`${where}: ${name}= takes whole seconds from 1 to 600, got "${raw}"`)
  }
  return n
}

function expectations(body: string, where: string): RegExp[] {
  return body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return new RegExp(l, 'm')
      } catch (err) {
        throw new LabFormatError(`${where}: not a regular expression: ${(err as Error).message}`)
      }
    })
}

export function parseLab(markdown: string, file: string): Lab {
  const title = /^# (.+)$/m.exec(markdown)?.[1]?.trim()
  if (!title) throw new LabFormatError(`${file}: a lab starts with a "# Title" heading`)
  for (const section of REQUIRED_SECTIONS) {
    if (!new RegExp(`^## ${section}\\b`, 'm').test(markdown)) {
      throw new LabFormatError(`${file}: the section "## ${section}" is missing`)
    }
  }
  const steps: { -readonly [K in keyof LabStep]: LabStep[K] }[] = []
  let previous: Fence | undefined
  for (const fence of fences(markdown, file)) {
    const where = `${file}:${fence.line}`
    const [lang = '', mode] = fence.info
    if (SHELLS.has(lang)) {
      if (mode !== 'lab' && mode !== 'manual') {
        throw new LabFormatError(
          `${where}: a shell block says "lab" (the runner runs it) or "manual" (it does not)`,
        )
      }
      if (mode === 'lab') {
        if (fence.body.trim() === '') throw new LabFormatError(`${where}: an empty sh lab block`)
        steps.push({
          command: fence.body,
          line: fence.line,
          expected: [],
          retrySeconds: attribute(fence.info, 'retry', where) ?? 0,
          timeoutSeconds: attribute(fence.info, 'timeout', where) ?? DEFAULT_TIMEOUT_SECONDS,
        })
      }
    } else if (lang === 'expected') {
      const last = steps.at(-1)
      if (!last || previous?.info[1] !== 'lab') {
        throw new LabFormatError(
          `${where}: an expected block follows the sh lab block whose output it checks`,
        )
      }
      last.expected = [...last.expected, ...expectations(fence.body, where)]
    }
    previous = fence
  }
  if (steps.length === 0) throw new LabFormatError(`${file}: a lab has at least one sh lab block`)
  for (const step of steps) {
    if (step.retrySeconds > 0 && step.expected.length === 0) {
      throw new LabFormatError(`${file}:${step.line}: retry= needs an expected block to know when to stop`)
    }
  }
  return { file, title, steps }
}
