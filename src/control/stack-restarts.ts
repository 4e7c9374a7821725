/**
 * What `sretl up`'s supervision says about the processes it runs (ADR 0060), read from the stack
 * state file it rewrites after every restart: restart counts and give-ups for the panel and for
 * `sretl_control_stack_restarts_total`. Without `sretl up` (Compose, Kubernetes) there is no file
 * and nothing to report: the orchestrator counts restarts itself.
 */
import { Counter, Gauge } from 'prom-client'
import type { MetricsRegistry } from '../platform/metrics.ts'
import { readStackState, type ServiceState } from '../platform/stack-state.ts'

export interface SupervisedReading {
  readonly restarts: number
  readonly supervision: NonNullable<ServiceState['supervision']>
  readonly lastEvent: ServiceState['lastEvent'] | null
}

export type StackReader = () => ReadonlyMap<string, SupervisedReading>

function upRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Reads the state file at most once per `maxAgeMs` (the panel's stream and scrapes ask often). */
export function createStackReader(runDir: string, clock: () => number, maxAgeMs = 1000): StackReader {
  let readAt = -Infinity
  let cached: ReadonlyMap<string, SupervisedReading> = new Map()
  return () => {
    const now = clock()
    if (now - readAt < maxAgeMs) return cached
    readAt = now
    const state = readStackState(runDir)
    cached = new Map(
      state && upRunning(state.upPid)
        ? state.services
            .filter((s) => s.owned)
            .map((s) => [
              s.name,
              {
                restarts: s.restarts ?? 0,
                supervision: s.supervision ?? 'running',
                lastEvent: s.lastEvent ?? null,
              },
            ])
        : [],
    )
    return cached
  }
}

export function registerStackMetrics(registry: MetricsRegistry, read: StackReader): void {
  new Counter({
    name: 'sretl_control_stack_restarts_total',
    help: 'Restarts of a process of the local stack by `sretl up` supervision (read from its state file).',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      // the count lives in the state file; the counter mirrors it (it resets only with `sretl up`)
      this.reset()
      for (const [service, reading] of read()) this.inc({ service }, reading.restarts)
    },
  })
  new Gauge({
    name: 'sretl_control_stack_gave_up',
    help: '1 when `sretl up` stopped restarting the process (crash loop), else 0.',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [service, reading] of read()) this.set({ service }, reading.supervision === 'failed' ? 1 : 0)
    },
  })
}
