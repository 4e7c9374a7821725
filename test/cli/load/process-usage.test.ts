import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseMemory, parseStat, postmasters, treeOf, usageOf } from '../../../src/cli/load/process-usage.ts'

const stat = (pid: number, comm: string, ppid: number, utime: number, stime: number) =>
  `${pid} (${comm}) S ${ppid} 1 1 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 100 1000 10`

test('a stat line should give the parent and the CPU ticks, also when the name holds spaces and parentheses', () => {
  assert.deepEqual(parseStat(stat(42, 'postgres: walwriter (x)', 7, 150, 50)), {
    pid: 42,
    ppid: 7,
    comm: 'postgres: walwriter (x)',
    cpuTicks: 200,
  })
  assert.equal(parseStat('garbage'), undefined)
})

test('memory should be the PSS of smaps_rollup, or VmRSS without it', () => {
  assert.equal(parseMemory('Rss:  2048 kB\nPss:  1024 kB\n', 'VmRSS:  4096 kB\n'), 1024 * 1024)
  assert.equal(parseMemory(undefined, 'Name: x\nVmRSS:  4096 kB\n'), 4096 * 1024)
  assert.equal(parseMemory(undefined, undefined), 0)
})

test('a tree should hold the root and all its descendants and nothing else', () => {
  const table = [1, 2, 3, 4, 5].map((pid) => ({
    pid,
    ppid: [0, 1, 2, 1, 0][pid - 1] ?? 0,
    comm: 'x',
    cpuTicks: 1,
  }))
  assert.deepEqual(
    treeOf(table, 1)
      .map((e) => e.pid)
      .sort(),
    [1, 2, 3, 4],
  )
})

test('postmasters should be the postgres processes whose parent is not postgres', () => {
  const table = [
    { pid: 10, ppid: 1, comm: 'postgres', cpuTicks: 5 },
    { pid: 11, ppid: 10, comm: 'postgres', cpuTicks: 7 },
    { pid: 12, ppid: 1, comm: 'node', cpuTicks: 9 },
  ]
  assert.deepEqual(postmasters(table), [10])
})

test('the usage of this process should show CPU seconds and memory', () => {
  const table = [{ pid: process.pid, ppid: 1, comm: 'node', cpuTicks: 250 }]
  const usage = usageOf(table, [process.pid])
  assert.equal(usage.processes, 1)
  assert.ok(usage.cpuSeconds > 0)
  assert.ok(usage.memoryBytes > 10 * 1024 * 1024, `memory ${usage.memoryBytes}`)
})
