/**
 * How `sretl` starts from a shell (issue 21, item 1): `npx sretl` from the machine's own npm and
 * Node (20 here; npm scripts put the pinned Node 24 first on PATH, so it is taken off again)
 * prints no npm warnings, and bin/sretl.js runs the CLI on Node ≥ 24.11 whatever Node started it.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { test } from 'node:test'

const root = new URL('../..', import.meta.url).pathname
/** PATH without node_modules/.bin: the shell's own `npx` and `node`, as a user types them. */
const systemPath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.includes('node_modules'))
  .join(delimiter)
const systemEnv = { ...process.env, PATH: systemPath }
const has = (command: string): boolean =>
  spawnSync('sh', ['-c', 'command -v "$0"', command], { env: systemEnv }).status === 0

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

test(
  'npx sretl --help should print no npm warnings (no EBADENGINE) from the system npm, with a fresh npx cache',
  {
    skip: has('npx') ? false : 'no npx on PATH',
    timeout: 120_000,
  },
  async () => {
    // a fresh cache: npx installs the project into its cache on first use, which is when npm
    // checks the package's engines and warned on every new clone and every package.json change
    const cache = mkdtempSync(join(tmpdir(), 'sretl-npx-cache-'))
    try {
      const result = await run('npx', ['sretl', '--help'], { ...systemEnv, npm_config_cache: cache })
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /^Usage: sretl <command>/m)
      assert.doesNotMatch(result.stderr, /EBADENGINE/)
      assert.doesNotMatch(result.stderr, /npm warn/)
    } finally {
      rmSync(cache, { recursive: true, force: true })
    }
  },
)

test(
  'bin/sretl.js should run the CLI on Node ≥ 24.11 when the system node starts it',
  {
    skip: has('node') ? false : 'no node on PATH',
  },
  async () => {
    const result = await run('node', ['bin/sretl.js', '--version'], systemEnv)
    assert.equal(result.code, 0, result.stderr)
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    assert.equal(result.stdout.trim(), pkg.version)
    assert.equal(result.stderr, '')
  },
)

test('package.json should state what npm needs in devEngines and no engines npm would warn about', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    engines?: unknown
    devEngines?: { runtime?: { name: string; version: string } }
    devDependencies: Record<string, string>
  }
  assert.equal(pkg.engines, undefined, 'engines.node ≥ 24 makes npx warn on every new install from Node 20')
  assert.equal(pkg.devEngines?.runtime?.name, 'node')
  assert.match(pkg.devDependencies.node ?? '', /^\^24\./, 'the pinned Node 24 the CLI runs on')
})
