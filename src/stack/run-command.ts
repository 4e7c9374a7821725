/** Runs a short external command (java -version, mvn, pg_lsclusters) and collects its output. */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface CommandResult {
  /** Exit code; null when the command could not be started at all (see `missing`). */
  readonly code: number | null
  readonly output: string
  /** True when the executable was not found. */
  readonly missing: boolean
}

export interface RunCommandOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  readonly timeoutMs?: number
  /** Called with every line of stdout and stderr as it arrives (for progress). */
  readonly onLine?: (line: string) => void
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: string[] = []
    let missing = false
    const collect = (stream: NodeJS.ReadableStream): void => {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line)
        if (lines.length > 5000) lines.splice(0, lines.length - 5000)
        options.onLine?.(line)
      })
    }
    collect(child.stdout)
    collect(child.stderr)
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined
    child.once('error', (err: NodeJS.ErrnoException) => {
      missing = err.code === 'ENOENT'
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output: lines.join('\n'), missing })
    })
  })
}
