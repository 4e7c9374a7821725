/**
 * CPU seconds and memory of the stack's processes, read from /proc (Linux): what `sretl load` and
 * `npm run bench:idle` report per component. A service counts with its whole process tree
 * (PostgreSQL is a postmaster and its backends). Memory is PSS — each page shared between the
 * processes of a tree (PostgreSQL's shared buffers) is counted once, not once per backend as
 * summed RSS would.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

interface ProcEntry {
  readonly pid: number
  readonly ppid: number
  readonly comm: string
  readonly cpuTicks: number
}

export interface TreeUsage {
  readonly cpuSeconds: number
  readonly memoryBytes: number
  readonly processes: number
}

let ticksPerSecond: number | undefined

/** The kernel's clock ticks per second (utime/stime unit), 100 on nearly every Linux. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** One line of /proc/<pid>/stat; the command name is in parentheses and may hold spaces. */
export function parseStat(line: string): ProcEntry | undefined {
  const open = line.indexOf('(')
  const close = line.lastIndexOf(')')
  if (open < 0 || close < open) return undefined
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/)
  // fields 3 (state) onwards: ppid is field 4, utime 14, stime 15
  const ppid = Number(rest[1])
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  if (![ppid, utime, stime].every(Number.isFinite)) return undefined
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid,
    comm: line.slice(open + 1, close),
    cpuTicks: utime + stime,
  }
}

/** The PSS of /proc/<pid>/smaps_rollup in bytes (its RSS where the kernel has no rollup). */
export function parseMemory(smapsRollup: string | undefined, status: string | undefined): number {
  const kb = (text: string | undefined, field: string): number | undefined => {
    const match = text?.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024
  }
  return kb(smapsRollup, 'Pss') ?? kb(status, 'VmRSS') ?? 0
}

const readOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Every process this user can see, as a snapshot. */
export function processTable(): ProcEntry[] {
  const entries: ProcEntry[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readOrUndefined(`/proc/${name}/stat`)
    const entry = stat === undefined ? undefined : parseStat(stat)
    if (entry) entries.push(entry)
  }
  return entries
}

/** `root` and its descendants in `table`. */
export function treeOf(table: readonly ProcEntry[], root: number): ProcEntry[] {
  const children = new Map<number, ProcEntry[]>()
  for (const e of table) children.set(e.ppid, [...(children.get(e.ppid) ?? []), e])
  const tree = table.filter((e) => e.pid === root)
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]?.pid ?? -1) ?? []))
  return tree
}

/** Postmasters: `postgres` processes whose parent is not one (for a PostgreSQL the stack did not start). */
export function postmasters(table: readonly ProcEntry[]): number[] {
  const byPid = new Map(table.map((e) => [e.pid, e]))
  return table
    .filter((e) => e.comm === 'postgres' && byPid.get(e.ppid)?.comm !== 'postgres')
    .map((e) => e.pid)
}

/** CPU seconds so far and current memory of the trees rooted at `roots`. */
export function usageOf(table: readonly ProcEntry[], roots: readonly number[]): TreeUsage {
  const seen = new Set<number>()
  let ticks = 0
  let memory = 0
  for (const root of roots) {
    for (const e of treeOf(table, root)) {
      if (seen.has(e.pid)) continue
      seen.add(e.pid)
      ticks += e.cpuTicks
      memory += parseMemory(
        readOrUndefined(`/proc/${e.pid}/smaps_rollup`),
        readOrUndefined(`/proc/${e.pid}/status`),
      )
    }
  }
  return { cpuSeconds: ticks / clockTicks(), memoryBytes: memory, processes: seen.size }
}
