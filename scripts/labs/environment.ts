/**
 * What the labs' commands may count on: the stack's addresses as $CONTROL_URL, $GATEWAY_URL,
 * $SIMULATOR_URL, $LANDER_URL, $DATABASE_URL and $SRETL_HOME (derived from the same settings as
 * `sretl`, so the runner finds a stack on other ports too), two free ports for extra processes,
 * and the tools they call — a missing tool fails the run, it never skips a lab.
 */
import { spawnSync } from 'node:child_process'
import { baseConfigSection, LOCAL_DATABASE_URL } from '../../src/platform/base-config.ts'
import { loadConfig, type Env } from '../../src/platform/config.ts'
import { controlTargetsSection, type ComponentUrls } from '../../src/platform/control-targets.ts'
import { findFreePort } from '../../src/stack/ports.ts'

export const LAB_TOOLS = ['bash', 'curl', 'jq', 'psql', 'grep', 'sed'] as const

export function missingTools(env: Env): string[] {
  return LAB_TOOLS.filter(
    (tool) => spawnSync('bash', ['-c', `command -v ${tool}`], { env, stdio: 'ignore' }).status !== 0,
  )
}

export async function labEnvironment(env: Env): Promise<NodeJS.ProcessEnv> {
  const base = loadConfig(env, baseConfigSection)
  const urls = loadConfig(env, controlTargetsSection) as ComponentUrls
  return {
    ...env,
    CONTROL_URL: urls.control,
    GATEWAY_URL: urls.gateway,
    SIMULATOR_URL: urls.simulator,
    LANDER_URL: urls.lander,
    DATABASE_URL: env.DATABASE_URL ?? LOCAL_DATABASE_URL,
    SRETL_HOME: base.paths.home,
    LAB_PORT_1: String(await findFreePort()),
    LAB_PORT_2: String(await findFreePort()),
  }
}
