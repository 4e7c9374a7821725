/**
 * Keeps one process of the local stack running: when it exits without being asked to, it is
 * started again after an exponential backoff. A crash loop (too many exits within a window) is
 * given up on with the reason, so a component that cannot start does not burn the machine and
 * the operator learns why; the rest of the stack keeps running.
 */
import type { ProcessExit } from './managed-process.ts'

export interface SupervisionPolicy {
  /** Delay before the first restart; doubles with each exit inside the window. */
  readonly initialBackoffMs: number
  readonly maxBackoffMs: number
  /** More exits than this within `windowMs` is a crash loop: no further restart. */
  readonly maxRestarts: number
  readonly windowMs: number
}

/** What a supervised thing looks like to the supervisor (a child process, or a polled server). */
export interface Supervisable {
  readonly pid?: number | undefined
  /** Resolves when it has gone, for whatever reason. */
  readonly exited: Promise<ProcessExit>
}

export type SupervisedState = 'running' | 'restarting' | 'failed' | 'stopped'

export interface SupervisorEvent {
  readonly name: string
  readonly kind: 'exited' | 'restarted' | 'restart-failed' | 'gave-up'
  readonly state: SupervisedState
  readonly restarts: number
  readonly pid?: number | undefined
  readonly exit?: ProcessExit
  readonly delayMs?: number
  /** A sentence for the terminal and the state file. */
  readonly message: string
}

export interface SupervisorOptions<P extends Supervisable> {
  readonly name: string
  readonly first: P
  /** Starts it again; a throw counts as another failure. */
  readonly restart: () => Promise<P>
  readonly policy: SupervisionPolicy
  readonly onEvent: (event: SupervisorEvent) => void
  readonly clock?: () => number
  readonly sleep?: (ms: number) => Promise<void>
}

export interface Supervisor<P extends Supervisable> {
  readonly name: string
  current(): P
  state(): SupervisedState
  restarts(): number
  /** The reason it was given up on, when it was. */
  failure(): string | undefined
  /** No restart from now on; resolves once a restart in progress has settled. */
  stop(): Promise<void>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The delay before the next start, given how many exits fell within the window (≥ 1). */
export function backoffDelay(policy: SupervisionPolicy, recentExits: number): number {
  const exponent = Math.max(0, recentExits - 1)
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(exponent, 30))
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal ? exit.signal : `code ${String(exit.code)}`
}

export function supervise<P extends Supervisable>(options: SupervisorOptions<P>): Supervisor<P> {
  const { name, policy, onEvent } = options
  const clock = options.clock ?? Date.now
  const sleep = options.sleep ?? defaultSleep
  let current = options.first
  let state: SupervisedState = 'running'
  let restarts = 0
  let failure: string | undefined
  let stopped = false
  const exits: number[] = []
  // the restart in progress (backoff, then start), which stop() waits for; never the running child
  let restarting: Promise<void> | undefined
  let wake: (() => void) | undefined
  const pause = (ms: number): Promise<void> =>
    Promise.race([sleep(ms), new Promise<void>((resolve) => (wake = resolve))])

  const recordExit = (): number => {
    const now = clock()
    exits.push(now)
    while (exits.length > 0 && (exits[0] ?? now) <= now - policy.windowMs) exits.shift()
    return exits.length
  }

  const giveUp = (recent: number, last: string): void => {
    state = 'failed'
    failure = `${recent} failures within ${Math.round(policy.windowMs / 1000)} s (last: ${last}); not restarting it again — fix the cause, then restart the stack`
    onEvent({ name, kind: 'gave-up', state, restarts, message: `${name} ${failure}` })
  }

  const watch = (child: P): void => {
    void child.exited.then((exit) => {
      if (stopped) return
      restarting = restartAfter(child, exit).finally(() => (restarting = undefined))
    })
  }

  const restartAfter = async (child: P, exit: ProcessExit): Promise<void> => {
    let last = describeExit(exit)
    onEvent({
      name,
      kind: 'exited',
      state: 'restarting',
      restarts,
      pid: child.pid,
      exit,
      message: `${name} exited unexpectedly (${last})`,
    })
    for (;;) {
      const recent = recordExit()
      if (recent > policy.maxRestarts) return giveUp(recent, last)
      state = 'restarting'
      const delayMs = backoffDelay(policy, recent)
      await pause(delayMs)
      if (stopped) return
      try {
        const next = await options.restart()
        restarts += 1
        // even when stopping meanwhile: the stack stops `current()` after `stop()`
        current = next
        if (stopped) return
        state = 'running'
        onEvent({
          name,
          kind: 'restarted',
          state,
          restarts,
          pid: next.pid,
          delayMs,
          message: `${name} restarted after ${delayMs} ms (pid ${String(next.pid ?? '-')}, restart ${restarts})`,
        })
        watch(next)
        return
      } catch (err) {
        last = err instanceof Error ? (err.message.split('\n')[0] ?? 'start failed') : String(err)
        onEvent({
          name,
          kind: 'restart-failed',
          state: 'restarting',
          restarts,
          message: `${name} could not be restarted: ${last}`,
        })
      }
    }
  }
  watch(current)

  return {
    name,
    current: () => current,
    state: () => state,
    restarts: () => restarts,
    failure: () => failure,
    async stop() {
      stopped = true
      if (state !== 'failed') state = 'stopped'
      wake?.()
      await restarting
    },
  }
}
