/** Pipeline components as child processes (`sretl run <name>`) on free ports, for integration tests. */
import { join } from 'node:path'
import { ensureAdminToken } from '../../src/platform/admin-token.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import { startCli, waitFor, type BackgroundCli } from './harness.ts'

export interface RunningComponent {
  readonly url: string
  readonly cli: BackgroundCli
  readonly env: Record<string, string>
  stop(): Promise<number | null>
}

/** Starts the component and waits until it answers /healthz. */
export async function startComponent(
  name: 'gateway' | 'simulator' | 'control' | 'lander',
  env: Record<string, string>,
  /** A given port, e.g. to start the component again where the control service expects it. */
  fixedPort?: number,
): Promise<RunningComponent> {
  const port = fixedPort ?? (await findFreePort())
  const ownEnv = { ...env, [`${name.toUpperCase()}_PORT`]: String(port) }
  const cli = startCli(['run', name], ownEnv)
  const url = `http://127.0.0.1:${port}`
  let exited = false
  void cli.exited.then(() => (exited = true))
  await waitFor(
    async () => {
      if (exited) throw new Error(`${name} exited:\n${cli.output()}`)
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok
    },
    { timeoutMs: 30_000, message: `${name} did not answer /healthz` },
  )
  return {
    url,
    cli,
    env: ownEnv,
    async stop() {
      if (!exited) cli.child.kill('SIGTERM')
      return cli.exited
    },
  }
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const response = await fetch(url)
  return (await response.json()) as T
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  }
}

/** The component-admin token of a test environment (made now if no component made it yet). */
export function adminTokenOf(env: Record<string, string>): string {
  const file =
    env.COMPONENT_ADMIN_TOKEN_FILE ?? join(env.SRETL_HOME ?? '', 'secrets', 'component-admin-token')
  return ensureAdminToken(file).token
}

/** Headers a component command needs: the environment's component-admin token. */
export function adminHeaders(env: Record<string, string>): Record<string, string> {
  return { authorization: `Bearer ${adminTokenOf(env)}` }
}
