/**
 * The `sretl` command line: finds the command, parses its options, runs it, and turns any error
 * into one plain line and a non-zero exit code.
 */
import { readFileSync } from 'node:fs'
import type { Env } from '../platform/config.ts'
import { errorMessage, isSretlError } from '../platform/errors.ts'
import { commandHelp, mainHelp, parseCommandArgs, type Command } from './command.ts'
import { apiKeyCommand } from './commands/api-key.ts'
import { auditCommand } from './commands/audit.ts'
import { controlUserCommand } from './commands/control-user.ts'
import { backupCommand } from './commands/backup.ts'
import { dbLoginsCommand } from './commands/db-logins.ts'
import { demoCommand } from './commands/demo.ts'
import { restoreCommand } from './commands/restore.ts'
import { downCommand } from './commands/down.ts'
import { resumeIntakeCommand, stopIntakeCommand } from './commands/intake.ts'
import { pauseCommand, resumeCommand } from './commands/flow.ts'
import { privacyCommand } from './commands/privacy.ts'
import { loadCommand } from './commands/load.ts'
import { maintainCommand } from './commands/maintain.ts'
import { migrateCommand } from './commands/migrate.ts'
import { rateCommand } from './commands/rate.ts'
import { rebuildAggregatesCommand } from './commands/rebuild-aggregates.ts'
import { resetOffsetsCommand } from './commands/reset-offsets.ts'
import { rotateSecretsCommand } from './commands/rotate-secrets.ts'
import { runCommand } from './commands/run.ts'
import { seedCommand } from './commands/seed.ts'
import { smokeCommand } from './commands/smoke.ts'
import { statusCommand } from './commands/status.ts'
import { tailCommand } from './commands/tail.ts'
import { topicsCommand } from './commands/topics.ts'
import { upCommand } from './commands/up.ts'
import { verifyCommand } from './commands/verify.ts'
import { withSecureStackEnv } from './secure-env.ts'
import { createUi, type Ui } from './ui.ts'

export const commands: readonly Command[] = [
  upCommand,
  downCommand,
  statusCommand,
  migrateCommand,
  dbLoginsCommand,
  backupCommand,
  restoreCommand,
  privacyCommand,
  seedCommand,
  topicsCommand,
  runCommand,
  tailCommand,
  rateCommand,
  loadCommand,
  pauseCommand,
  resumeCommand,
  stopIntakeCommand,
  resumeIntakeCommand,
  auditCommand,
  apiKeyCommand,
  controlUserCommand,
  maintainCommand,
  resetOffsetsCommand,
  smokeCommand,
  verifyCommand,
  rebuildAggregatesCommand,
  rotateSecretsCommand,
  demoCommand,
]

const EXIT_USAGE = 2

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

export async function cli(argv: readonly string[], env: Env, ui: Ui = createUi()): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined
    ui.line(target ? commandHelp(target) : mainHelp(commands, version()))
    return 0
  }
  if (name === '--version' || name === '-v') {
    ui.line(version())
    return 0
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    process.stderr.write(`sretl: unknown command "${name}"; run \`sretl --help\` for the list\n`)
    return EXIT_USAGE
  }
  try {
    const { values, positionals, help } = parseCommandArgs(command, rest)
    if (help) {
      ui.line(commandHelp(command))
      return 0
    }
    const code = await command.run({
      values,
      positionals,
      env: command.name === 'up' ? env : withSecureStackEnv(env),
      ui,
    })
    return code ?? 0
  } catch (err) {
    const code = isSretlError(err) ? err.code : 'INTERNAL'
    process.stderr.write(`sretl ${command.name}: ${errorMessage(err)} [${code}]\n`)
    if (!isSretlError(err) && env.SRETL_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`)
    return isSretlError(err) && (err.code === 'USAGE' || err.code === 'CONFIG_INVALID') ? EXIT_USAGE : 1
  }
}

if (import.meta.main) {
  process.exitCode = await cli(process.argv.slice(2), process.env)
}
