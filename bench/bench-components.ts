/**
 * Components run as `sretl run <name>` child processes by the ingest benchmarks, each on a free
 * port, waited for until /readyz answers; whatever is still running is killed when the run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { findFreePort } from '../src/stack/ports.ts'

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Every child started, so a failed run can kill them all. */
export const benchChildren: ChildProcess[] = []

export async function startComponent(
  name: string,
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 60_000,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await findFreePort()
  const child = spawn(process.execPath, [CLI, 'run', name], {
    env: { ...env, [`${name.toUpperCase()}_PORT`]: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  benchChildren.push(child)
  const url = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + readyTimeoutMs; Date.now() < deadline;) {
    if ((await fetch(`${url}/readyz`).catch(() => undefined))?.ok) return { url, child }
    await sleep(100)
  }
  throw new Error(`${name} did not become ready`)
}

export async function stopComponent(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(15_000)])
}
