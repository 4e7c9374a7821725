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

/** The components of the local stack, in start order. */
export function stackComponents(env: Env): ComponentLaunch[] {
  // the port's default lives in the lander's config section (8083); stack code reads only the variable
  const landerPort = env.LANDER_PORT?.trim() || '8083'
  return [componentLaunch('lander', `http://127.0.0.1:${landerPort}`)]
}
