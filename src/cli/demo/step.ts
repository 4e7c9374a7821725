/**
 * One scene of the demo and how a scene fails: every wait has a deadline, and a missed one stops
 * the tour with DEMO_STEP_FAILED naming the step and what it expected to see.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { errorMessage, SretlError } from '../../platform/errors.ts'
import type { DemoContext } from './context.ts'

/** What a step proves, printed as `result <step>: key=value …` (tests and people read it). */
export type StepFacts = Readonly<Record<string, string | number | boolean>>

export interface DemoStep {
  readonly id: string
  readonly title: string
  /** What is about to happen, in plain words. */
  readonly story: string
  /** Where to watch it: panel section, Prometheus alert or query, SQL. */
  readonly lookAt: readonly string[]
  run(ctx: DemoContext): Promise<StepFacts>
}

export function stepFailed(step: string, expected: string, cause?: unknown): SretlError {
  const why = cause === undefined ? '' : ` (last: ${errorMessage(cause)})`
  return new SretlError('DEMO_STEP_FAILED', `demo step "${step}" failed: expected ${expected}${why}`, {
    ...(cause === undefined ? {} : { cause }),
  })
}

/**
 * Polls `probe` until it returns a value (not undefined/false) or the step's timeout passes.
 * Errors of a probe are remembered, not fatal: the stack may be mid-restart.
 */
export async function waitUntil<T>(
  ctx: DemoContext,
  step: string,
  expected: string,
  probe: () => Promise<T | undefined | false>,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + ctx.pacing.stepTimeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      last = err
    }
    await sleep(intervalMs)
  }
  throw stepFailed(step, `${expected} within ${Math.round(ctx.pacing.stepTimeoutMs / 1000)} s`, last)
}

export function expect(condition: boolean, step: string, expected: string): void {
  if (!condition) throw stepFailed(step, expected)
}

/** Lets the audience watch (skipped by --fast). */
export async function watch(ctx: DemoContext, what: string): Promise<void> {
  if (ctx.pacing.watchMs <= 0) return
  ctx.ui.line(`    … watching ${what} for ${Math.round(ctx.pacing.watchMs / 1000)} s`)
  await sleep(ctx.pacing.watchMs)
}
