/**
 * The pipeline components `sretl up` runs as child processes (`sretl run <name>`), each as it
 * would run in its own container. A component joins the stack by adding an entry here.
 */
import { fileURLToPath } from 'node:url'
import type { Env } from '../platform/config.ts'
import { startOrder } from '../platform/component-manifest.ts'
import { componentPorts, type ComponentName } from '../platform/control-targets.ts'

export interface ComponentLaunch {
  readonly name: string
  /** Arguments to the Node executable. */
  readonly args: readonly string[]
  /** Where it serves (its control/metrics HTTP address). */
  readonly address: string
  readonly env?: Readonly<Record<string, string>>
}

export const CLI_ENTRY = fileURLToPath(new URL('../cli/main.ts', import.meta.url))

export function componentLaunch(
  name: string,
  address: string,
  env?: Record<string, string>,
): ComponentLaunch {
  return { name, args: [CLI_ENTRY, 'run', name], address, ...(env ? { env } : {}) }
}

/**
 * The components of the local stack, in the manifest's start order (the lander first, so it is
 * consuming when events arrive). Their addresses come from the manifest's port variables (the
 * stack may not import component modules).
 */
export function stackComponents(env: Env): ComponentLaunch[] {
  // where the processes it starts listen: their port variables (a <NAME>_URL may name a proxy)
  const local = (name: ComponentName): string => {
    const port = componentPorts[name].safeParse(env[`${name.toUpperCase()}_PORT`]?.trim() || undefined)
    if (!port.success) throw new Error(`${name.toUpperCase()}_PORT: must be a port number`)
    return `http://127.0.0.1:${String(port.data)}`
  }
  const keysConfigured = [env.GATEWAY_API_KEYS, env.GATEWAY_API_KEYS_FILE, env.GATEWAY_ALLOW_DEV_KEY].some(
    (v) => v !== undefined && v.trim() !== '',
  )
  // on a laptop with no keys configured, the well-known development key lets curl work at once
  const extraEnv: Partial<Record<ComponentName, Record<string, string>>> = keysConfigured
    ? {}
    : { gateway: { GATEWAY_ALLOW_DEV_KEY: 'true' } }
  return startOrder.map((name) => componentLaunch(name, local(name), extraEnv[name]))
}
