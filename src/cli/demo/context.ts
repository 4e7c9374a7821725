/**
 * What every step of `sretl demo` shares: the control service (through the same client and token
 * as `sretl pause|rate`), the gateway (the stack's key), the database as sretl_reader (the counts
 * that prove a claim), the stack's run directory, and the pacing that `--fast` shortens.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig, type Env } from '../../platform/config.ts'
import { createPool, type Pool } from '../../platform/postgres.ts'
import { DEV_KEY } from '../../gateway/api-keys.ts'
import { callControl, controlAccess, type ControlAccess } from '../control-client.ts'
import { SretlError } from '../../platform/errors.ts'
import type { Ui } from '../ui.ts'

export interface DemoPacing {
  /** How long a step lets the audience watch an effect before it goes on. */
  readonly watchMs: number
  /** The longest a step waits for its effect before it fails. */
  readonly stepTimeoutMs: number
  /** Sizes of the scripted traffic. */
  readonly rampRatePerSec: number
  readonly lateEvents: number
  readonly poisonEvents: number
  readonly restartEvents: number
}

export const NORMAL_PACING: DemoPacing = {
  watchMs: 8000,
  stepTimeoutMs: 90_000,
  rampRatePerSec: 300,
  lateEvents: 60,
  poisonEvents: 3,
  restartEvents: 600,
}

// CI runs on small shared machines: fewer events, no watching, but the same generous timeouts
export const FAST_PACING: DemoPacing = {
  watchMs: 0,
  stepTimeoutMs: 120_000,
  rampRatePerSec: 40,
  lateEvents: 20,
  poisonEvents: 2,
  restartEvents: 120,
}

export interface DemoContext {
  readonly ui: Ui
  readonly access: ControlAccess
  readonly gatewayUrl: string
  readonly gatewayKey: string
  readonly reader: Pool
  readonly runDir: string
  readonly pacing: DemoPacing
  /** Prefix of every receipt id the demo sends, so its counts see only its own rows. */
  readonly runId: string
  close(): Promise<void>
}

export function createDemoContext(
  env: Env,
  ui: Ui,
  options: { fast: boolean; apiKey?: string },
): DemoContext {
  const access = controlAccess(env)
  const base = loadConfig(env, baseConfigSection)
  const reader = createPool(base.postgres, { applicationName: 'sretl-demo', role: 'sretl_reader', max: 2 })
  return {
    ui,
    access,
    gatewayUrl: access.urls.gateway,
    gatewayKey: options.apiKey ?? stackGatewayKey(access.home),
    reader,
    runDir: base.paths.run,
    pacing: options.fast ? FAST_PACING : NORMAL_PACING,
    runId: `DEMO-${randomBytes(3).toString('hex')}`,
    close: () => reader.end(),
  }
}

/** Secure mode generates the gateway's key (src/cli/secure-mode.ts); a laptop stack takes the dev key. */
function stackGatewayKey(home: string): string {
  const file = join(home, 'secrets', 'gateway-local.key')
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : DEV_KEY
}

/** A control API call that must answer; its JSON body and status. */
export async function control(
  ctx: DemoContext,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await callControl(ctx.access, method, path, body)
  if (!answer) {
    throw new SretlError(
      'STACK_NOT_RUNNING',
      `the control service does not answer at ${ctx.access.urls.control}; start the stack with \`sretl up\` first`,
    )
  }
  return { status: answer.status, body: answer.body }
}

export interface ComponentView {
  readonly name: string
  readonly state: string
  readonly reachable: boolean
  readonly restarts: number | null
  readonly details: Record<string, unknown>
}

export async function overview(
  ctx: DemoContext,
): Promise<{ components: ComponentView[]; point: Record<string, number | null> }> {
  const answer = await control(ctx, 'GET', '/api/v1/overview')
  return answer.body as unknown as { components: ComponentView[]; point: Record<string, number | null> }
}

export async function component(ctx: DemoContext, name: string): Promise<ComponentView> {
  const found = (await overview(ctx)).components.find((c) => c.name === name)
  if (!found) throw new SretlError('UNKNOWN_COMPONENT', `the control service knows no ${name}`)
  return found
}
