/**
 * Where every component listens, and which of them operator commands steer, derived from the
 * component manifest (component-manifest.ts). A component is found at `<NAME>_URL`, else at
 * http://127.0.0.1:<NAME>_PORT — the same port variable the component itself listens on (its
 * schema object lives in the manifest, so both sides agree on the default). The control service,
 * `sretl` and the stack launcher read it.
 */
import type { z } from 'zod'
import {
  componentManifest,
  componentNames,
  type ComponentName,
  type PauseTarget,
} from './component-manifest.ts'
import { defineSection, urlVar, type AnySection } from './config.ts'

export { componentNames, type ComponentName } from './component-manifest.ts'

/** Each component's HTTP port variable (its section declares it; everyone else parses it with it). */
export const componentPorts = Object.fromEntries(
  componentNames.map((name) => [name, componentManifest[name].port]),
) as { readonly [N in ComponentName]: (typeof componentManifest)[N]['port'] }

export type ControlTarget = PauseTarget

type Pausable = {
  [N in ComponentName]: (typeof componentManifest)[N]['pause'] extends PauseTarget ? N : never
}[ComponentName]

/** The components whose flow operators pause and resume, in the order the panel shows them. */
export const controlTargets = Object.fromEntries(
  componentNames.flatMap((name) => {
    const pause: PauseTarget | undefined = componentManifest[name].pause
    return pause ? [[name, pause]] : []
  }),
) as Readonly<Record<Pausable, PauseTarget>>

export type ControlTargetName = Pausable
export const controlTargetNames = Object.keys(controlTargets) as ControlTargetName[]

export function isControlTarget(name: string): name is ControlTargetName {
  return Object.hasOwn(controlTargets, name)
}

const prefix = (name: ComponentName): string => name.toUpperCase()

const shape: Record<string, z.ZodType> = {}
for (const name of componentNames) {
  shape[`${prefix(name)}_URL`] = urlVar(
    `Where the control service and \`sretl\` reach the ${name}’s HTTP API. Default: http://127.0.0.1:$${prefix(name)}_PORT.`,
    ['http:', 'https:'],
  )
}

export type ComponentUrls = Readonly<Record<ComponentName, string>>

/** Base URL of every component (no trailing slash). */
export const controlTargetsSection: AnySection = defineSection(shape, (values, env): ComponentUrls => {
  const urls: Partial<Record<ComponentName, string>> = {}
  for (const name of componentNames) {
    const explicit = values[`${prefix(name)}_URL`] as string | undefined
    // the component's own port variable, parsed by its own schema (documented with the component)
    const portVar = `${prefix(name)}_PORT`
    const port = componentPorts[name].safeParse(env[portVar]?.trim() || undefined)
    if (!port.success) throw new Error(`${portVar}: must be a port number, got "${env[portVar]}"`)
    urls[name] = (explicit ?? `http://127.0.0.1:${String(port.data)}`).replace(/\/+$/, '')
  }
  return urls as ComponentUrls
})
