/**
 * The components `sretl run <name>` can start, each loaded only when asked for. Every entry's
 * module exports `main(env)`, which wires the component, runs it until SIGTERM/SIGINT and
 * resolves with the exit code. What each one is comes from the component manifest; its module
 * is named here because only the CLI may import components.
 */
import { componentManifest, type ComponentName } from '../platform/component-manifest.ts'
import type { Env } from '../platform/config.ts'

export interface ComponentEntry {
  readonly summary: string
  readonly load: () => Promise<{ main(env: Env): Promise<number> }>
}

const modules: Record<ComponentName, ComponentEntry['load']> = {
  control: () => import('../control/main.ts'),
  gateway: () => import('../gateway/main.ts'),
  simulator: () => import('../simulator/main.ts'),
  lander: () => import('../lander/main.ts'),
}

export const components: Readonly<Record<ComponentName, ComponentEntry>> = Object.fromEntries(
  (Object.keys(modules) as ComponentName[]).map((name) => [
    name,
    { summary: componentManifest[name].summary, load: modules[name] },
  ]),
) as Record<ComponentName, ComponentEntry>
