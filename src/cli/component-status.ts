/**
 * Reading components' `/status` for `sretl status` and `sretl smoke`, defensively: a component
 * that is not there, answers late, or reports details in another shape yields what could be read
 * and nothing more — never an exception.
 */
import { componentBaseUrl } from '../stack/prometheus-config.ts'
import type { StackState } from '../stack/state.ts'
import type { ComponentLaunch } from '../stack/components.ts'

export interface ComponentAddress {
  readonly name: string
  readonly address: string
}

export interface PartitionLag {
  readonly partition: string
  readonly topic?: string
  readonly lagMessages?: number
  readonly lagSeconds?: number
  readonly state?: string
}

export interface ComponentReport {
  readonly name: string
  readonly address: string
  readonly state?: string
  readonly lastError?: string
  readonly error?: string
  /** Per-partition lag when the component reports `details.partitions[]` (the lander). */
  readonly lag?: readonly PartitionLag[]
}

/** The components of the running stack (its state file) or, without one, of the configuration. */
export function componentAddresses(
  state: StackState | undefined,
  configured: readonly ComponentLaunch[],
): ComponentAddress[] {
  const fromState = (state?.services ?? []).filter((s) => s.kind === 'component')
  if (fromState.length > 0) return fromState.map((s) => ({ name: s.name, address: s.address }))
  return configured.map((c) => ({ name: c.name, address: c.address }))
}

export async function readComponent(component: ComponentAddress, timeoutMs = 2000): Promise<ComponentReport> {
  const base = componentBaseUrl(component.address)
  if (!base) return { ...component, error: `cannot read address "${component.address}"` }
  let body: unknown
  try {
    const response = await fetch(`${base}/status`, { signal: AbortSignal.timeout(timeoutMs) })
    if (!response.ok) return { ...component, error: `/status answered ${response.status}` }
    body = await response.json()
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code
    return { ...component, error: `/status did not answer (${cause ?? (err as Error).name})` }
  }
  if (!isRecord(body)) return { ...component, error: '/status is not a JSON object' }
  const lastError = isRecord(body.lastError) ? body.lastError : undefined
  const lag = lagOf(body.details)
  return {
    ...component,
    ...(typeof body.state === 'string' ? { state: body.state } : {}),
    ...(lastError && typeof lastError.message === 'string'
      ? {
          lastError: `${typeof lastError.code === 'string' ? `${lastError.code}: ` : ''}${lastError.message}`,
        }
      : {}),
    ...(lag.length > 0 ? { lag } : {}),
  }
}

/**
 * `details.partitions[]` with `lagMessages` / `lagSeconds` (the lander's shape: `details.topic`,
 * and per partition `partition`, `state`, `lagMessages`, `lagSeconds`, either may be null), as far
 * as they are present and numeric.
 */
export function lagOf(details: unknown): PartitionLag[] {
  if (!isRecord(details) || !Array.isArray(details.partitions)) return []
  const topic = typeof details.topic === 'string' ? details.topic : undefined
  const out: PartitionLag[] = []
  for (const item of details.partitions) {
    if (!isRecord(item)) continue
    const partition = item.partition ?? item.id
    if (typeof partition !== 'number' && typeof partition !== 'string') continue
    const lagMessages = finite(item.lagMessages)
    const lagSeconds = finite(item.lagSeconds)
    if (lagMessages === undefined && lagSeconds === undefined) continue
    out.push({
      partition: String(partition),
      ...(typeof item.topic === 'string' ? { topic: item.topic } : topic ? { topic } : {}),
      ...(lagMessages === undefined ? {} : { lagMessages }),
      ...(lagSeconds === undefined ? {} : { lagSeconds }),
      ...(typeof item.state === 'string' ? { state: item.state } : {}),
    })
  }
  return out.sort(
    (a, b) => Number(a.partition) - Number(b.partition) || a.partition.localeCompare(b.partition),
  )
}

function finite(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
