/**
 * The components operator commands (`sretl pause`, `resume`, `rate`) talk to, and where to find
 * them: `<NAME>_URL`, else http://127.0.0.1:<NAME>_PORT — the same port variable the component
 * itself listens on. A component joins the operator commands with one line in `controlTargets`.
 */
import type { z } from 'zod'
import { GATEWAY_PORT } from '../gateway/config.ts'
import { LANDER_PORT } from '../lander/config.ts'
import { defineSection, urlVar, type AnySection } from '../platform/config.ts'
import { SIMULATOR_PORT } from '../simulator/config.ts'

export interface ControlTarget {
  /** Prefix of its variables: SIMULATOR → SIMULATOR_URL, SIMULATOR_PORT. */
  readonly prefix: string
  /** The component's own port variable (one schema object, so both sections agree). */
  readonly port: z.ZodType
  /** What pausing it stops. */
  readonly pauses: string
}

export const controlTargets = {
  simulator: { prefix: 'SIMULATOR', port: SIMULATOR_PORT, pauses: 'event production' },
  gateway: { prefix: 'GATEWAY', port: GATEWAY_PORT, pauses: 'intake: POST /v1/sales answers 503' },
  lander: { prefix: 'LANDER', port: LANDER_PORT, pauses: 'landing: it stops fetching; lag grows in Kafka' },
} as const satisfies Record<string, ControlTarget>

export type ControlTargetName = keyof typeof controlTargets
export const controlTargetNames = Object.keys(controlTargets) as ControlTargetName[]

export function isControlTarget(name: string): name is ControlTargetName {
  return name in controlTargets
}

const shape: Record<string, z.ZodType> = {}
for (const [name, target] of Object.entries(controlTargets)) {
  shape[`${target.prefix}_URL`] = urlVar(
    `Where operator commands reach the ${name}’s HTTP API. Default: http://127.0.0.1:$${target.prefix}_PORT.`,
    ['http:', 'https:'],
  )
}

/** Base URL of every control target (no trailing slash). */
export const controlTargetsSection: AnySection = defineSection(shape, (values, env) => {
  const urls: Record<string, string> = {}
  for (const [name, target] of Object.entries(controlTargets)) {
    const explicit = values[`${target.prefix}_URL`] as string | undefined
    // the component's own port variable, parsed by its own schema (documented with the component)
    const portVar = `${target.prefix}_PORT`
    const port = target.port.safeParse(env[portVar]?.trim() || undefined)
    if (!port.success) throw new Error(`${portVar}: must be a port number, got "${env[portVar]}"`)
    urls[name] = (explicit ?? `http://127.0.0.1:${String(port.data)}`).replace(/\/+$/, '')
  }
  return urls
})
