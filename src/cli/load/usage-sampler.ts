/**
 * Per-service CPU and memory over a window: sampled from /proc every second or so, CPU summed
 * from the differences between samples (a service that restarts mid-window loses only the
 * interval it restarted in), memory as the highest PSS seen.
 */
import type { StackState } from '../../platform/stack-state.ts'
import { postmasters, processTable, usageOf } from './process-usage.ts'

type ProcTable = ReturnType<typeof processTable>

export interface UsageTarget {
  readonly name: string
  /** The roots of its process trees in the current table (resolved at every sample). */
  roots(table: ProcTable): number[]
}

export interface ServiceUsage {
  readonly name: string
  readonly cpuSeconds: number
  /** CPU seconds per second of the window: 0.15 is 15 % of one core. */
  readonly cpuShare: number
  readonly peakMemoryBytes: number
  readonly processes: number
}

export interface UsageSampler {
  sample(): void
  /** Usage from the first sample to the last; `[]` before two samples. */
  report(): ServiceUsage[]
}

/** The processes of the stack `sretl up` runs; a PostgreSQL it reused is found by its postmaster. */
export function stackUsageTargets(state: StackState): UsageTarget[] {
  return state.services.flatMap((service): UsageTarget[] => {
    if (service.pid !== undefined) {
      const pid = service.pid
      return [{ name: service.name, roots: () => [pid] }]
    }
    if (service.name === 'postgres' || service.name === 'postgresql') {
      return [{ name: `${service.name} (not started by sretl)`, roots: (table) => postmasters(table) }]
    }
    return []
  })
}

export function createUsageSampler(
  targets: readonly UsageTarget[],
  clock: () => number = Date.now,
  read: () => ProcTable = processTable,
): UsageSampler {
  const state = targets.map((target) => ({
    target,
    lastCpu: undefined as number | undefined,
    cpu: 0,
    peak: 0,
    processes: 0,
  }))
  let first: number | undefined
  let last: number | undefined
  return {
    sample() {
      const table = read()
      const now = clock()
      first ??= now
      last = now
      for (const s of state) {
        const usage = usageOf(table, s.target.roots(table))
        if (s.lastCpu !== undefined) s.cpu += Math.max(0, usage.cpuSeconds - s.lastCpu)
        s.lastCpu = usage.cpuSeconds
        s.peak = Math.max(s.peak, usage.memoryBytes)
        s.processes = Math.max(s.processes, usage.processes)
      }
    },
    report() {
      const seconds = first === undefined || last === undefined ? 0 : (last - first) / 1000
      if (seconds <= 0) return []
      return state.map((s) => ({
        name: s.target.name,
        cpuSeconds: s.cpu,
        cpuShare: s.cpu / seconds,
        peakMemoryBytes: s.peak,
        processes: s.processes,
      }))
    },
  }
}
