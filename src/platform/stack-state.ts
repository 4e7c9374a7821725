/**
 * The running stack's description (run/stack.json): which processes `sretl up` owns, where they
 * listen, their logs. `sretl status` and `sretl down` read it; it is removed when the stack stops.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface ServiceState {
  readonly name: string
  /** What it is; absent in state files written before kinds existed. */
  readonly kind?: 'infrastructure' | 'monitoring' | 'component'
  /** Process id when `up` started it; absent when an existing service was reused. */
  readonly pid?: number
  readonly owned: boolean
  /** Where to reach it: a URL or host:port. */
  readonly address: string
  readonly logFile?: string
  readonly detail?: string
  /** Supervision (ADR 0060), for the processes `up` owns: how often it restarted this one. */
  readonly restarts?: number
  /** running | restarting | failed (gave up: a crash loop) | stopped. */
  readonly supervision?: 'running' | 'restarting' | 'failed' | 'stopped'
  /** The last thing supervision said about it (an exit, a restart, why it gave up), and when. */
  readonly lastEvent?: { readonly at: string; readonly message: string }
}

export interface StackState {
  readonly upPid: number
  readonly startedAt: string
  readonly readyAt?: string
  readonly home: string
  readonly services: readonly ServiceState[]
  /** `sretl up --secure`: the settings file other `sretl` commands read (src/cli/secure-env.ts). */
  readonly secure?: { readonly toolsEnvFile: string }
}

export function stackStateFile(runDir: string): string {
  return join(runDir, 'stack.json')
}

export function writeStackState(runDir: string, state: StackState): void {
  const file = stackStateFile(runDir)
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, file)
}

export function readStackState(runDir: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(stackStateFile(runDir), 'utf8')) as StackState
  } catch {
    return undefined
  }
}

export function removeStackState(runDir: string): void {
  rmSync(stackStateFile(runDir), { force: true })
}
