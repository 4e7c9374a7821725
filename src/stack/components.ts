/**
 * The pipeline components `sretl up` runs as child processes (`sretl run <name>`), each as it
 * would run in its own container. A component joins the stack by adding an entry here.
 */
import { fileURLToPath } from 'node:url'
import type { Env } from '../platform/config.ts'

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
 * The components of the local stack, in start order: the lander first (so it is consuming when
 * events arrive), then the gateway and the simulator. Ports mirror the components' own defaults
 * (LANDER_PORT 8083, GATEWAY_PORT 8081, SIMULATOR_PORT 8082); the stack may not import component
 * modules, so it reads only the variables.
 */
export function stackComponents(env: Env): ComponentLaunch[] {
  const port = (name: string, fallback: number): string => env[name]?.trim() || String(fallback)
  const keysConfigured = [env.GATEWAY_API_KEYS, env.GATEWAY_API_KEYS_FILE, env.GATEWAY_ALLOW_DEV_KEY].some(
    (v) => v !== undefined && v.trim() !== '',
  )
  return [
    componentLaunch('lander', `http://127.0.0.1:${port('LANDER_PORT', 8083)}`),
    // on a laptop with no keys configured, the well-known development key lets curl work at once
    componentLaunch(
      'gateway',
      `http://127.0.0.1:${port('GATEWAY_PORT', 8081)}`,
      keysConfigured ? undefined : { GATEWAY_ALLOW_DEV_KEY: 'true' },
    ),
    componentLaunch('simulator', `http://127.0.0.1:${port('SIMULATOR_PORT', 8082)}`),
  ]
}
