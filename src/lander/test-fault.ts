/**
 * The test hook of the landing (SRETL_TEST_FAULT_AT, docs/reliability.md): at a named point where
 * exactly-once is decided, the lander kills (SIGKILL) or stops (SIGSTOP) its own process, so tests
 * hit that point instead of a random moment. Unset (the default), `reach` does nothing.
 */
export type FaultPoint =
  'after-copy-before-commit' | 'after-dlq-before-commit' | 'after-commit-before-kafka-commit'

export interface FaultSettings {
  readonly at: FaultPoint
  readonly action: 'kill' | 'stop'
  /** Fires on the nth pass through the point. */
  readonly nth: number
}

export type ReachFault = (point: FaultPoint) => void

export function createFault(
  settings: FaultSettings | undefined,
  signal: (sig: NodeJS.Signals) => void = (sig) => process.kill(process.pid, sig),
): ReachFault {
  if (!settings) return () => undefined
  let passes = 0
  return (point) => {
    if (point !== settings.at) return
    passes += 1
    if (passes === settings.nth) signal(settings.action === 'kill' ? 'SIGKILL' : 'SIGSTOP')
  }
}
