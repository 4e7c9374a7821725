/**
 * `sretl smoke` when the optional monitoring packages are missing (issue 21, item 2): the checks
 * that need Prometheus are SKIPPED with the install command and the rest decides; with
 * --require-monitoring they fail; an installed Prometheus that does not answer stays a FAIL.
 * The executables are pointed at paths that do not exist (or at /bin/true: installed, silent).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { findFreePort } from '../../../src/stack/ports.ts'

const home = mkdtempSync(join(tmpdir(), 'sretl-smoke-'))
after(() => rmSync(home, { recursive: true, force: true }))
const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname

async function smoke(
  args: readonly string[],
  commands: { prometheus: string; alertmanager: string; exporter: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SRETL_HOME: home,
    PROMETHEUS_PORT: String(await findFreePort()),
    PROMETHEUS_CMD: commands.prometheus,
    ALERTMANAGER_CMD: commands.alertmanager,
    POSTGRES_EXPORTER_CMD: commands.exporter,
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, 'smoke', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const absent = {
  prometheus: join(home, 'absent', 'prometheus'),
  alertmanager: join(home, 'absent', 'alertmanager'),
  exporter: join(home, 'absent', 'postgres_exporter'),
}
const install = 'apt-get install prometheus prometheus-alertmanager prometheus-postgres-exporter'

test('smoke should pass with the three Prometheus checks SKIPPED and the install command when monitoring is not installed', async () => {
  const result = await smoke(['--skip', 'rows,components', '--timeout', '5'], absent)
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`)
  for (const check of ['targets', 'dashboards', 'alerts']) {
    assert.match(
      result.stdout,
      new RegExp(`^${check}\\s+SKIPPED\\s+Prometheus is not installed \\(optional\\): ${install}`, 'm'),
    )
  }
  assert.match(result.stdout, /^rows\s+SKIPPED\s+left out \(--skip\)/m)
  assert.match(result.stdout, /0 checks passed; 3 skipped: targets, dashboards, alerts need Prometheus/)
  assert.doesNotMatch(result.stdout, /FAIL/)
})

test('smoke --require-monitoring should fail the Prometheus checks when monitoring is not installed', async () => {
  const result = await smoke(['--skip', 'rows,components', '--timeout', '1', '--require-monitoring'], absent)
  assert.equal(result.code, 1, result.stdout)
  assert.match(
    result.stdout,
    /^targets\s+FAIL\s+Prometheus is not installed and --require-monitoring asks for it/m,
  )
  assert.match(result.stderr, /3 of 3 checks failed: targets, dashboards, alerts.*\[SMOKE_FAILED\]/)
})

test('smoke should fail, not skip, when Prometheus is installed but does not answer', async () => {
  const result = await smoke(['--skip', 'rows,components,dashboards', '--timeout', '1'], {
    ...absent,
    prometheus: '/bin/true',
  })
  assert.equal(result.code, 1, result.stdout)
  assert.match(
    result.stdout,
    /^targets\s+FAIL\s+Prometheus at .* did not answer .*installed but not answering/m,
  )
  assert.match(result.stdout, /^alerts\s+FAIL/m)
})
