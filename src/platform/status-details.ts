/**
 * The contract of each component's `/status` details: what the control service, `sretl` and the
 * panel read from them. Each component declares that its details satisfy its schema (a renamed
 * or retyped field breaks the build), and readers parse with it instead of casting (a component
 * of another version that breaks the contract is reported, never shown as zeros). The schemas are
 * loose: a component may report more than others read.
 */
import { z } from 'zod'
import { COMPONENT_STATES, type ComponentStatus } from './component-server.ts'
import { SretlError } from './errors.ts'

/** The envelope every component's `/status` answers with (ComponentStatus). */
export const componentStatusSchema = z.looseObject({
  component: z.string(),
  instance: z.string(),
  state: z.enum(COMPONENT_STATES),
  since: z.string(),
  heartbeatAt: z.string(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).optional(),
  details: z.record(z.string(), z.unknown()),
  commands: z
    .array(
      z
        .object({
          id: z.string(),
          seq: z.number(),
          at: z.string(),
          action: z.string(),
          status: z.number(),
          before: z.string(),
          after: z.string(),
          request: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
          sourceIp: z.string(),
          userAgent: z.string().optional(),
        })
        // JSON drops an undefined user agent; the journal's type keeps the key
        .transform((c) => ({ ...c, userAgent: c.userAgent })),
    )
    .optional(),
})

/** A `/status` answer read through the envelope's contract; throws STATUS_INVALID naming the field. */
export function parseComponentStatus(name: string, body: unknown): ComponentStatus {
  const parsed = componentStatusSchema.safeParse(body)
  if (!parsed.success) throw new SretlError('STATUS_INVALID', problemOf(name, parsed.error))
  return parsed.data
}

function problemOf(name: string, error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue?.path.join('.') || 'the answer'
  return `the ${name}'s status breaks its contract at ${where}: ${issue?.message ?? 'invalid'}`
}

const pause = {
  paused: z.boolean(),
  /** Why an operator paused it, when one did and said so. */
  pauseReason: z.string().nullable().optional(),
}

export const simulatorDetailsSchema = z.looseObject({
  ...pause,
  targetRatePerSec: z.number(),
  baseRatePerSec: z.number(),
  actualRatePerSec: z.number(),
  capPerSec: z.number(),
  /** Messages Kafka acknowledged since the simulator started (`sretl load` counts a run's events with it). */
  eventsProduced: z.number(),
  kafkaStalled: z.boolean(),
})

export const gatewayDetailsSchema = z.looseObject({
  ...pause,
  kafkaAvailable: z.boolean(),
  inFlightEvents: z.number(),
  eventsAccepted: z.number(),
  eventsRejected: z.number(),
})

// nested objects are plain (unknown keys dropped): components build them from interfaces
const percentiles = z.object({
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
})

export const landerPartitionSchema = z.object({
  partition: z.number(),
  state: z.enum(['RUNNING', 'PAUSED', 'FAILED']),
  lastError: z.object({ message: z.string() }).nullable(),
  lagMessages: z.number().nullable(),
  lagSeconds: z.number().nullable(),
})

export const landerDetailsSchema = z.looseObject({
  paused: z.boolean(),
  topic: z.string(),
  partitions: z.array(landerPartitionSchema).readonly(),
  totals: z.object({ rows: z.number(), deadLetters: z.number() }),
  latencyMs: z.object({ eventToCommit: percentiles }),
})

export const controlDetailsSchema = z.looseObject({})

export const statusDetailsSchemas = {
  simulator: simulatorDetailsSchema,
  gateway: gatewayDetailsSchema,
  lander: landerDetailsSchema,
  control: controlDetailsSchema,
} as const

export type DetailsComponent = keyof typeof statusDetailsSchemas

export function isDetailsComponent(name: string): name is DetailsComponent {
  return Object.hasOwn(statusDetailsSchemas, name)
}
export type StatusDetails<N extends DetailsComponent> = z.infer<(typeof statusDetailsSchemas)[N]>
/** What a component's details must satisfy (`satisfies DetailsContract<'lander'>` in the component). */
export type DetailsContract<N extends DetailsComponent> = z.input<(typeof statusDetailsSchemas)[N]>

export type ParsedDetails<N extends DetailsComponent> =
  { readonly ok: true; readonly details: StatusDetails<N> } | { readonly ok: false; readonly problem: string }

/** A component's details read through its contract; `problem` names the first field that breaks it. */
export function parseDetails<N extends DetailsComponent>(
  name: N,
  status: Pick<ComponentStatus, 'details'>,
): ParsedDetails<N> {
  const parsed = statusDetailsSchemas[name].safeParse(status.details)
  if (parsed.success) return { ok: true, details: parsed.data as StatusDetails<N> }
  return { ok: false, problem: problemOf(name, parsed.error).replace('contract at ', 'contract at details.') }
}

/** Like parseDetails, for callers that cannot go on without them. */
export function requireDetails<N extends DetailsComponent>(
  name: N,
  status: Pick<ComponentStatus, 'details'>,
): StatusDetails<N> {
  const parsed = parseDetails(name, status)
  if (!parsed.ok) throw new SretlError('STATUS_INVALID', parsed.problem)
  return parsed.details
}
