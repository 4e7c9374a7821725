import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cli } from '../../src/cli/main.ts'
import type { LoadReport } from '../../src/cli/load/slo-report.ts'
import type { Ui } from '../../src/cli/ui.ts'
import { runCli, startCli, upEnv } from '../support/harness.ts'
import { skipUnlessInstalled } from '../support/tools.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()
const prometheusMissing = spawnSync('sh', ['-c', 'command -v prometheus']).status !== 0

test(
  'sretl load should drive the stack with tills and the simulator and report every SLO from real measurements',
  { skip: skipUnlessInstalled(prometheusMissing ? 'prometheus is not installed' : false) },
  async () => {
    const env = await upEnv(db.url)
    const out = mkdtempSync(join(tmpdir(), 'sretl-load-'))
    const up = startCli(['up'], env)
    const lines: string[] = []
    const ui: Ui = {
      line: (t = '') => lines.push(t),
      warn: (t) => lines.push(`warning: ${t}`),
      table: (rows, header) => lines.push(...[header ?? [], ...rows].map((r) => r.join(' | '))),
      progress: (e) => lines.push(`${e.step} ${e.state} ${e.detail ?? ''}`),
    }
    try {
      await up.waitForLine(/^Ready in /, 180_000)
      const code = await cli(
        ['load', '--profile', 'gateway', '--minutes', '0.5', '--out', out, '--catch-up-seconds', '60'],
        env,
        ui,
      )
      assert.equal(code, 0, `${lines.join('\n')}\n${up.output()}`)
      const report = JSON.parse(
        readFileSync(join(out, `${new Date().toISOString().slice(0, 10)}-gateway.json`), 'utf8'),
      ) as LoadReport & { machine: string }
      const m = report.measurements
      assert.equal(code, 0, lines.join('\n'))
      assert.equal(report.met, true)
      assert.ok(m.events.simulator > 1000, `simulated ${m.events.simulator}`)
      // the tills post the base rate again, in batches of 1, 10 and 100
      assert.ok(m.events.tills > 1000, `via tills ${m.events.tills}`)
      assert.deepEqual(
        m.tills.latencyMs.map((t) => t.batch).sort((a, b) => a - b),
        [1, 10, 100],
      )
      assert.ok((m.tills.byStatus['202'] ?? 0) > 100, JSON.stringify(m.tills.byStatus))
      assert.ok(m.rowsLanded + m.deadLetters >= m.events.simulator + m.events.tills, 'everything landed')
      assert.ok(m.latency !== undefined && m.latency.events > 1000 && m.latency.p95 > 0 && m.latency.p95 < 5)
      assert.deepEqual(
        m.resources.map((r) => r.name).filter((n) => ['kafka', 'lander', 'gateway', 'simulator'].includes(n)),
        ['kafka', 'lander', 'gateway', 'simulator'],
      )
      assert.ok(m.resources.every((r) => r.cpuSeconds >= 0 && r.peakMemoryBytes > 0))
      assert.match(readFileSync(join(out, `${m.startedAt.slice(0, 10)}-gateway.md`), 'utf8'), /all SLOs met/)
      // the profile put the simulator back at its rate
      const rate = await runCli(['rate'], env)
      assert.match(rate.stdout, /simulator rate 100 events\/s/)
    } finally {
      rmSync(out, { recursive: true, force: true })
      const down = await runCli(['down'], env)
      assert.equal(down.code, 0, down.stderr)
      assert.equal(await up.exited, 0)
    }
  },
)
