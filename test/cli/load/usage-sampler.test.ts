import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createUsageSampler, stackUsageTargets } from '../../../src/cli/load/usage-sampler.ts'

test('the sampler should sum CPU between samples and survive a restart that resets the counter', () => {
  const ticks = [100, 300, 50, 150]
  let i = 0
  let now = 0
  const sampler = createUsageSampler(
    [{ name: 'lander', roots: () => [process.pid] }],
    () => now,
    () => [{ pid: process.pid, ppid: 1, comm: 'node', cpuTicks: ticks[i] ?? 0 }],
  )
  for (; i < ticks.length; i++, now += 1000) sampler.sample()
  const [lander] = sampler.report()
  // 100→300 (+2 s), restart to 50 (lost), 50→150 (+1 s), over 3 s; CLK_TCK is 100
  assert.equal(lander?.cpuSeconds, 3)
  assert.equal(lander?.cpuShare, 1)
})

test('the stack targets should be the processes sretl up started and a reused PostgreSQL', () => {
  const targets = stackUsageTargets({
    upPid: 1,
    startedAt: '',
    home: '',
    services: [
      { name: 'postgres', owned: false, address: '' },
      { name: 'kafka', owned: true, pid: 77, address: '' },
      { name: 'prometheus', owned: false, address: '' },
    ],
  })
  assert.deepEqual(
    targets.map((t) => t.name),
    ['postgres (not started by sretl)', 'kafka'],
  )
})
