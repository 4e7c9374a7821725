import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { ROOT } from '../support/harness.ts'
import { startRunningStack } from '../support/running-stack.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

function runLabs(
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/labs.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`npm run labs did not finish in ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

test('npm run labs should run every command of every lab in docs/labs against a running stack', async (t) => {
  const stack = await startRunningStack(db.url)
  try {
    const started = Date.now()
    const run = await runLabs(stack.env, 480_000)
    t.diagnostic(`the labs took ${Date.now() - started} ms`)
    assert.equal(run.code, 0, run.output)
    assert.match(run.output, /^All 6 lab\(s\) passed in /m)
    assert.doesNotMatch(run.output, /✗/)
    for (const n of [1, 2, 3, 4, 5, 6]) assert.match(run.output, new RegExp(`^\\[${n}/6\\] Lab ${n} `, 'm'))
  } finally {
    await stack.stop()
  }
})
