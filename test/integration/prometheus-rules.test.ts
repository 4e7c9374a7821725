/**
 * The alert and recording rules in deploy/prometheus/ checked and unit-tested by Prometheus's
 * own tools (promtool, amtool), the local stack's generated configuration validated, and every
 * alert documented in docs/runbook.md. Skipped with a message only where promtool is not
 * installed (.ci/run installs it, so CI never skips).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { componentLaunch } from '../../src/stack/components.ts'
import {
  ALERTMANAGER_CONFIG_FILE,
  DEPLOY_DIR,
  prometheusConfig,
  RULES_GLOB,
} from '../../src/stack/prometheus-config.ts'

const RULES_DIR = join(DEPLOY_DIR, 'prometheus/rules')
const TESTS_DIR = join(DEPLOY_DIR, 'prometheus/tests')
const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.rules.yml'))
  .map((f) => join(RULES_DIR, f))
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => join(TESTS_DIR, f))

import { skipUnlessInstalled } from '../support/tools.ts'

function tool(name: string): string | false {
  const found = spawnSync('sh', ['-c', 'command -v "$0"', name], { encoding: 'utf8' })
  return found.status === 0 ? found.stdout.trim() : false
}
const promtool = tool('promtool')
const amtool = tool('amtool')
const skipPromtool = skipUnlessInstalled(
  promtool ? false : 'promtool is not installed (apt-get install prometheus); .ci/run installs it',
)
const skipAmtool = skipUnlessInstalled(
  amtool ? false : 'amtool is not installed (apt-get install prometheus-alertmanager)',
)

function run(command: string, args: readonly string[]): { code: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 })
  return { code: result.status, output: `${result.stdout}${result.stderr}` }
}

/** Alert names with the file that defines them (rule files are plain YAML with `- alert: Name`). */
function alertNames(): { name: string; file: string }[] {
  return ruleFiles.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*- alert: (\w+)\s*$/gm)].map((m) => ({
      name: m[1] ?? '',
      file,
    })),
  )
}

describe('Prometheus rules', () => {
  test('promtool check rules should accept every rule file', { skip: skipPromtool }, () => {
    assert.ok(ruleFiles.length >= 3, `rule files in ${RULES_DIR}`)
    const result = run(promtool as string, ['check', 'rules', ...ruleFiles])
    assert.equal(result.code, 0, result.output)
  })

  test('promtool test rules should pass every rule unit test', { skip: skipPromtool }, () => {
    const result = run(promtool as string, ['test', 'rules', ...testFiles])
    assert.equal(result.code, 0, result.output)
    assert.doesNotMatch(result.output, /FAILED/)
  })

  test('every rule file should have a unit-test file that tests each of its alerts', () => {
    for (const file of ruleFiles) {
      const base =
        file
          .split('/')
          .at(-1)
          ?.replace(/\.rules\.yml$/, '') ?? ''
      const testFile = join(TESTS_DIR, `${base}.test.yml`)
      const tests = readFileSync(testFile, 'utf8')
      assert.match(tests, new RegExp(`rule_files:\\s*\\n\\s*- \\.\\./rules/${base}\\.rules\\.yml`), testFile)
      for (const { name } of alertNames().filter((a) => a.file === file)) {
        const cases = [...tests.matchAll(new RegExp(`alertname: ${name}\\n\\s*exp_alerts:( \\[\\])?`, 'g'))]
        assert.ok(
          cases.some((c) => c[1] === undefined),
          `${testFile} has a case where ${name} fires`,
        )
        assert.ok(
          cases.some((c) => c[1] !== undefined),
          `${testFile} has a case where ${name} stays silent`,
        )
      }
    }
  })

  test('every alert should have a severity, a summary and a runbook section', () => {
    const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8')
    const headings = new Set([...runbook.matchAll(/^### (\w+)\s*$/gm)].map((m) => (m[1] ?? '').toLowerCase()))
    const alerts = alertNames()
    assert.ok(alerts.length >= 15, 'the alerts of the issue are defined')
    for (const { name, file } of alerts) {
      const text = readFileSync(file, 'utf8')
      const block = text.slice(text.indexOf(`- alert: ${name}`)).split(/\n\s*- (?:alert|record): /)[0] ?? ''
      assert.match(block, /severity: (critical|warning)/, `${name} has a severity`)
      assert.match(block, /summary: \S/, `${name} has a summary`)
      assert.match(
        block,
        new RegExp(`runbook_url: docs/runbook.md#${name.toLowerCase()}\\b`),
        `${name} links its runbook`,
      )
      assert.ok(headings.has(name.toLowerCase()), `docs/runbook.md has a "### ${name}" section`)
    }
  })
})

describe('generated and shipped configuration', () => {
  test(
    'promtool check config should accept the local stack’s generated Prometheus configuration',
    { skip: skipPromtool },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sretl-promconfig-'))
      try {
        const file = join(dir, 'prometheus.yml')
        writeFileSync(
          file,
          prometheusConfig({
            scrapeInterval: '5s',
            prometheusPort: 9090,
            alertmanagerPort: 9093,
            postgresExporterPort: 9187,
            components: [
              componentLaunch('gateway', 'http://127.0.0.1:8081'),
              componentLaunch('lander', '127.0.0.1:8083'),
            ],
            rulesGlob: RULES_GLOB,
          }),
        )
        const result = run(promtool as string, ['check', 'config', file])
        assert.equal(result.code, 0, result.output)
        assert.match(result.output, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`))
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  )

  test('amtool check-config should accept the Alertmanager configuration', { skip: skipAmtool }, () => {
    const result = run(amtool as string, ['check-config', ALERTMANAGER_CONFIG_FILE])
    assert.equal(result.code, 0, result.output)
  })
})
