/**
 * The shape of a CLI command: options declared once, used both to parse argv and to print
 * `--help`. Every command accepts `--help`.
 */
import { parseArgs } from 'node:util'
import type { Env } from '../platform/config.ts'
import { SretlError } from '../platform/errors.ts'
import type { Ui } from './ui.ts'

export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  readonly description: string
  /** Shown in help as --name <valueName>. */
  readonly valueName?: string
}

export interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: readonly string[]
  readonly env: Env
  readonly ui: Ui
}

export interface Command {
  readonly name: string
  readonly summary: string
  /** Arguments after the command name, e.g. "<component>". */
  readonly args?: string
  readonly description?: string
  readonly options?: Readonly<Record<string, OptionSpec>>
  readonly examples?: readonly string[]
  /** Environment variables the command reads, listed in its help (beyond the shared ones). */
  readonly minPositionals?: number
  readonly maxPositionals?: number
  run(context: CommandContext): Promise<number | void>
}

export function defineCommand(command: Command): Command {
  return command
}

export function parseCommandArgs(
  command: Command,
  argv: readonly string[],
): { values: Record<string, string | boolean | undefined>; positionals: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  }
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new SretlError(
      'USAGE',
      `${(err as Error).message.replace(/\. To specify.*$/s, '')}; see \`sretl ${command.name} --help\``,
    )
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  const help = values.help === true
  if (!help) {
    const n = parsed.positionals.length
    if (n < (command.minPositionals ?? 0)) {
      throw new SretlError(
        'USAGE',
        `missing argument ${command.args ?? ''}; see \`sretl ${command.name} --help\``.replace('  ', ' '),
      )
    }
    if (n > (command.maxPositionals ?? 0)) {
      throw new SretlError(
        'USAGE',
        `unexpected argument "${parsed.positionals[command.maxPositionals ?? 0]}"; see \`sretl ${command.name} --help\``,
      )
    }
  }
  return { values, positionals: parsed.positionals, help }
}

export function commandHelp(command: Command): string {
  const lines = [
    `Usage: sretl ${command.name}${command.args ? ` ${command.args}` : ''}${command.options ? ' [options]' : ''}`,
    '',
    command.summary,
  ]
  if (command.description) lines.push('', command.description)
  const options = Object.entries(command.options ?? {})
  lines.push('', 'Options:')
  const rows = [
    ...options.map(([name, spec]) => [
      `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`,
      spec.description,
    ]),
    ['-h, --help', 'Show this help.'],
  ]
  const width = Math.max(...rows.map((r) => (r[0] ?? '').length))
  for (const [flag = '', text = ''] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`)
  if (command.examples?.length) {
    lines.push('', 'Examples:')
    for (const example of command.examples) lines.push(`  ${example}`)
  }
  lines.push('', 'Settings come from environment variables; see docs/configuration.md.')
  return lines.join('\n')
}

export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    `sretl ${version} — streaming retail ETL: point-of-sale events through Kafka into PostgreSQL.`,
    '',
    'Usage: sretl <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sretl <command> --help` for a command’s options.',
    'Settings come from environment variables; see docs/configuration.md.',
  ].join('\n')
}
