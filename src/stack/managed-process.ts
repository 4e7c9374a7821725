/**
 * Child processes of the local stack: output to a log file, a pid file while alive, stopped with
 * SIGTERM and, after a grace period, SIGKILL. Each runs in its own process group so a terminal's
 * Ctrl-C reaches only `sretl up`, which then stops them in order (components before Kafka).
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export interface ProcessExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface ManagedProcess {
  readonly name: string
  readonly pid: number
  readonly logFile: string
  readonly exited: Promise<ProcessExit>
  isAlive(): boolean
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<ProcessExit>
  /** The last lines the process wrote, for error messages. */
  tail(lines?: number): string
}

export interface StartProcessOptions {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  readonly logFile: string
  readonly pidFile?: string
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

export function startProcess(options: StartProcessOptions): ManagedProcess {
  // logs can hold what a component was sent: owner only
  mkdirSync(dirname(options.logFile), { recursive: true, mode: 0o700 })
  const fd = openSync(options.logFile, 'a', 0o600)
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', fd, fd],
    detached: true,
  })
  closeSync(fd)
  let alive = child.pid !== undefined
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', () => {
      alive = false
      resolve({ code: 127, signal: null })
    })
    child.once('exit', (code, signal) => {
      alive = false
      if (options.pidFile) rmSync(options.pidFile, { force: true })
      resolve({ code, signal })
    })
  })
  const pid = child.pid ?? -1
  if (options.pidFile && pid > 0) {
    mkdirSync(dirname(options.pidFile), { recursive: true })
    writeFileSync(options.pidFile, `${pid}\n`)
  }
  // `up` waits on its children explicitly; they must not keep it alive on their own
  child.unref()

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    isAlive: () => alive,
    async stop(graceMs = 20_000) {
      if (!alive) return exited
      signalGroup(pid, 'SIGTERM')
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
      try {
        return await exited
      } finally {
        clearTimeout(timer)
      }
    },
    tail: (lines = 20) => tailFile(options.logFile, lines),
  }
}

/** Signals a process group (falls back to the single process); ignores processes already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Stops a process known only by pid (from a pid file): SIGTERM, wait, SIGKILL. */
export async function stopPid(pid: number, graceMs = 20_000): Promise<void> {
  if (!isPidAlive(pid)) return
  signalGroup(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!isPidAlive(pid)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  signalGroup(pid, 'SIGKILL')
  const killDeadline = Date.now() + 5000
  while (isPidAlive(pid) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 50))
}

export function tailFile(file: string, lines: number): string {
  try {
    const size = statSync(file).size
    const fd = openSync(file, 'r')
    try {
      const length = Math.min(size, 64 * 1024)
      const buffer = Buffer.alloc(length)
      readSync(fd, buffer, 0, length, size - length)
      return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n')
    } finally {
      closeSync(fd)
    }
  } catch {
    return ''
  }
}
