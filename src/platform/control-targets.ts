/**
 * Where every component listens, and which of them operator commands steer: the one place that
 * knows each component's address. A component is found at `<NAME>_URL`, else at
 * http://127.0.0.1:<NAME>_PORT — the same port variable the component itself listens on (its
 * schema object lives here, so both sides agree on the default). The control service, `sretl`
 * and the stack launcher read it; a component joins by adding one line to `componentPorts` and,
 * when its flow can be paused, one line to `controlTargets`.
 */
import type { z } from 'zod'
import { defineSection, portVar, urlVar, type AnySection } from './config.ts'

/** Each component's HTTP port variable (its section declares it; everyone else parses it with it). */
export const componentPorts = {
  control: portVar('HTTP port of the control service: the web control panel and its API.', 8080),
  gateway: portVar('HTTP port of the ingest gateway (POST /v1/sales, /status, /metrics).', 8081),
  simulator: portVar('HTTP port of the simulator’s control API, /status and /metrics.', 8082),
  lander: portVar('HTTP port of the lander (status, pause/resume, metrics).', 8083),
} as const satisfies Record<string, z.ZodType>

export type ComponentName = keyof typeof componentPorts
export const componentNames = Object.keys(componentPorts) as ComponentName[]

export interface ControlTarget {
  /** What pausing it stops, in plain words (CLI help, panel help texts). */
  readonly pauses: string
  /** Part of "intake": the emergency stop pauses it. */
  readonly intake: boolean
}

/** The components whose flow operators pause and resume, in the order the panel shows them. */
export const controlTargets = {
  simulator: { pauses: 'event production by the store simulator', intake: true },
  gateway: { pauses: 'intake: POST /v1/sales answers 503 with Retry-After', intake: true },
  lander: { pauses: 'landing: it stops fetching; events wait in Kafka and lag grows', intake: false },
} as const satisfies Partial<Record<ComponentName, ControlTarget>>

export type ControlTargetName = keyof typeof controlTargets
export const controlTargetNames = Object.keys(controlTargets) as ControlTargetName[]

export function isControlTarget(name: string): name is ControlTargetName {
  return name in controlTargets
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
