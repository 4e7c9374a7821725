/**
 * Runs one `sh lab` block as a person would paste it: a fresh bash with -euo pipefail in the
 * project's root, the lab environment, output kept for the `expected` check. With retry= the
 * block runs again every second until its expectations hold — labs wait on effects by polling,
 * never by sleeping a fixed time.
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import type { LabStep } from './parse.ts'

export interface StepOutcome {
  readonly ok: boolean
  readonly attempts: number
  readonly exitCode: number | null
  readonly output: string
  /** Why it failed, in one line. */
  readonly problem?: string
}

interface Ran {
  readonly code: number | null
  readonly output: string
  readonly timedOut: boolean
}

function runBash(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Ran> {
  return new Promise((resolve) => {
    // detached: a timeout kills the block's whole process group, not just bash
    const child = spawn('bash', ['-euo', 'pipefail', '-c', command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    }, options.timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output, timedOut })
    })
  })
}

function unmatched(step: LabStep, output: string): RegExp | undefined {
  return step.expected.find((re) => !re.test(output))
}

export async function runStep(step: LabStep, cwd: string, env: NodeJS.ProcessEnv): Promise<StepOutcome> {
  const deadline = Date.now() + step.retrySeconds * 1000
  let attempts = 0
  for (;;) {
    attempts += 1
    const ran = await runBash(step.command, { cwd, env, timeoutMs: step.timeoutSeconds * 1000 })
    const missing = unmatched(step, ran.output)
    let problem: string | undefined
    if (ran.timedOut) problem = `did not finish in ${step.timeoutSeconds} s`
    else if (ran.code !== 0) problem = `exited with code ${String(ran.code)}`
    else if (missing) problem = `its output does not match /${missing.source}/`
    if (problem === undefined) return { ok: true, attempts, exitCode: ran.code, output: ran.output }
    if (Date.now() >= deadline) {
      const waited = step.retrySeconds > 0 ? ` (after ${attempts} attempts in ${step.retrySeconds} s)` : ''
      return { ok: false, attempts, exitCode: ran.code, output: ran.output, problem: `${problem}${waited}` }
    }
    await sleep(1000)
  }
}
