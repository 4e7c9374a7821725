/**
 * The commands operators give — pause/resume a component, set the simulator's rate, stop or
 * resume all intake, change the rate cap — with their rules enforced here, on the server:
 * roles, the safe limits of limits.ts, and idempotency (repeating a command changes nothing
 * more and is answered the same way). Every command, applied or not, is one audit_log row with
 * the state before and after, read from the component itself. The HTTP API and `sretl` (when
 * the control service is not running) both run commands through this one module. What a command
 * comes to is a typed outcome (ok / refused / failed with an error code); command-replies.ts
 * alone turns it into an HTTP answer (ADR 0056).
 */
import type { ComponentStatus } from '../../platform/component-server.ts'
import { controlTargets, isControlTarget, type ControlTargetName } from '../../platform/control-targets.ts'
import { errorMessage } from '../../platform/errors.ts'
import type { Logger } from '../../platform/logger.ts'
import type { AuditLog } from '../audit.ts'
import {
  createRecorder,
  type Actor,
  type CommandMetrics,
  type CommandOutcome,
  type CommandRecord,
  type CommandResult,
  type Recorder,
} from './command-recorder.ts'
import { refusalOf, type ComponentClient } from '../component-client.ts'
import { formatRate } from '../format.ts'
import {
  checkRateChange,
  effectiveCap,
  type CapSetting,
  type RateCap,
  type RateLimitSettings,
} from './limits.ts'
import type { Role } from '../auth/users.ts'
import { parseComponentStatus, requireDetails, type StatusDetails } from '../../platform/status-details.ts'

export type { Actor, CommandMetrics, CommandOutcome, CommandResult } from './command-recorder.ts'

export interface CommanderDeps {
  readonly client: ComponentClient
  readonly audit: AuditLog
  readonly rateCap: RateCap
  readonly rateSettings: RateLimitSettings
  readonly logger: Logger
  readonly metrics: CommandMetrics
  readonly clock: () => Date
}

/** The part of a component's status an audit row keeps. */
export function stateOf(status: ComponentStatus): { state: string; paused: boolean } {
  const paused = status.state === 'PAUSED' || status.details.paused === true
  return { state: status.state, paused }
}

/** A component's or request's message field as text. */
export function messageOf(body: Readonly<Record<string, unknown>>, fallback: string): string {
  return typeof body.message === 'string' ? body.message : fallback
}

/** What a command runs with. */
interface CommandContext {
  readonly deps: CommanderDeps
  readonly recorder: Recorder
}

export function createCommander(deps: CommanderDeps) {
  const recorder = createRecorder(deps)
  const ctx: CommandContext = { deps, recorder }
  return {
    pause: (actor: Actor, target: string, reason: string, extra?: Readonly<Record<string, unknown>>) =>
      flow(ctx, actor, 'pause', target, reason, extra),
    resume: (actor: Actor, target: string, reason: string) => flow(ctx, actor, 'resume', target, reason),
    stopIntake: (actor: Actor, reason: string) => intake(ctx, actor, 'pause', reason),
    resumeIntake: (actor: Actor, reason: string) => intake(ctx, actor, 'resume', reason),
    setRate: (
      actor: Actor,
      requested: unknown,
      confirm: boolean,
      extra?: Readonly<Record<string, unknown>>,
    ) => setRate(ctx, actor, requested, confirm, extra),
    setRateCap: (actor: Actor, requested: unknown) => setRateCap(ctx, actor, requested),
    limitsView: (hardCap: number | null) => limitsView(deps.rateSettings, deps.rateCap.get(), hardCap),
    /** Records a command run elsewhere (DLQ replay) the same way: audit row, metrics, log. */
    record: recorder.finish,
    refuse: recorder.refuse,
    forbidden: recorder.forbidden,
    /** A command route refused for the role before its handler ran: the row the command would write. */
    refuseRole: (actor: Actor, command: { command: string; target: string }, needed: Role) =>
      recorder.forbidden(
        actor,
        command.command === 'limits.set'
          ? { ...command, before: { rateCapPerSec: deps.rateCap.get().capPerSec } }
          : command,
        needed,
      ),
  }
}

async function flow(
  ctx: CommandContext,
  actor: Actor,
  action: 'pause' | 'resume',
  target: string,
  reason: string,
  extra: Readonly<Record<string, unknown>> = {},
): Promise<CommandOutcome> {
  const { client } = ctx.deps
  const { refuse, fail, forbidden, finish } = ctx.recorder
  const rec: CommandRecord = { command: action, target, detail: { reason, ...extra } }
  const denied = forbidden(actor, rec, 'operator')
  if (denied) return denied
  if (!isControlTarget(target)) {
    return refuse(
      actor,
      rec,
      'UNKNOWN_COMPONENT',
      `"${target}" is not a component that can be paused; choose one of ${Object.keys(controlTargets).join(', ')}`,
    )
  }
  let before: ComponentStatus
  try {
    before = await client.status(target)
  } catch (err) {
    return fail(actor, rec, err)
  }
  try {
    const answer = await client.post(target, `/${action}`, { reason })
    const refusal = refusalOf(target, answer)
    if (refusal) return refuse(actor, { ...rec, before: stateOf(before) }, refusal.code, refusal.message)
    const after = parseComponentStatus(target, answer.body)
    const changed = stateOf(before).paused !== stateOf(after).paused
    return finish(
      actor,
      {
        ...rec,
        before: stateOf(before),
        after: stateOf(after),
        detail: { ...rec.detail, changed, commandId: answer.commandId },
      },
      {
        kind: 'ok',
        body: { target, changed, before: stateOf(before), after: stateOf(after), status: after },
      },
    )
  } catch (err) {
    return fail(actor, { ...rec, before: stateOf(before) }, err)
  }
}

async function intake(
  ctx: CommandContext,
  actor: Actor,
  action: 'pause' | 'resume',
  reason: string,
): Promise<CommandOutcome> {
  const { client } = ctx.deps
  const { forbidden, finish } = ctx.recorder
  const targets = (Object.keys(controlTargets) as ControlTargetName[]).filter((t) => controlTargets[t].intake)
  const command = action === 'pause' ? 'intake.stop' : 'intake.resume'
  const rec: CommandRecord = { command, target: targets.join(','), detail: { reason } }
  const denied = forbidden(actor, rec, 'operator')
  if (denied) return denied
  const results = await Promise.all(
    targets.map(async (target) => {
      try {
        const before = stateOf(await client.status(target))
        const answer = await client.post(target, `/${action}`, { reason })
        const refusal = refusalOf(target, answer)
        if (refusal) return { target, before, ok: false, message: refusal.message }
        return {
          target,
          before,
          after: stateOf(parseComponentStatus(target, answer.body)),
          ok: true,
          commandId: answer.commandId,
        }
      } catch (err) {
        return { target, ok: false, message: errorMessage(err) }
      }
    }),
  )
  const ok = results.every((r) => r.ok)
  const pick = (key: 'before' | 'after') => Object.fromEntries(results.map((r) => [r.target, r[key] ?? null]))
  const failures = results.filter((r) => !r.ok).map((r) => ({ target: r.target, message: r.message }))
  const result: CommandResult = ok
    ? { kind: 'ok', body: { targets: results } }
    : {
        kind: 'failed',
        code: 'COMPONENT_UNREACHABLE',
        message: `${action === 'pause' ? 'stopping' : 'resuming'} intake failed for ${failures.map((f) => `${f.target} (${f.message})`).join(', ')}; the others were ${action === 'pause' ? 'paused' : 'resumed'}`,
        extra: { targets: results },
      }
  return finish(
    actor,
    {
      ...rec,
      before: pick('before'),
      after: pick('after'),
      detail: {
        reason,
        commandIds: results.flatMap((r) => ('commandId' in r && r.commandId ? [r.commandId] : [])),
        ...(ok ? {} : { failures }),
      },
    },
    result,
  )
}

async function setRate(
  ctx: CommandContext,
  actor: Actor,
  requested: unknown,
  confirm: boolean,
  extra: Readonly<Record<string, unknown>> = {},
): Promise<CommandOutcome> {
  const { deps } = ctx
  const { client } = deps
  const { refuse, fail, forbidden, finish } = ctx.recorder
  const rec: CommandRecord = {
    command: 'rate.set',
    target: 'simulator',
    detail: { requested, confirm, ...extra },
  }
  const denied = forbidden(actor, rec, 'operator')
  if (denied) return denied
  let before: ComponentStatus
  try {
    before = await client.status('simulator')
  } catch (err) {
    return fail(actor, rec, err)
  }
  let simulator: StatusDetails<'simulator'>
  try {
    simulator = requireDetails('simulator', before)
  } catch (err) {
    return fail(actor, rec, err)
  }
  const current = simulator.baseRatePerSec
  const hardCap = simulator.capPerSec
  const beforeRate = { ratePerSec: current }
  const check = checkRateChange({
    current,
    requested,
    confirm,
    cap: deps.rateCap.get(),
    hardCapPerSec: hardCap,
    settings: deps.rateSettings,
  })
  if (!check.ok) {
    return refuse(actor, { ...rec, before: beforeRate }, check.code, check.message, check.extra)
  }
  const rate = requested as number
  try {
    const answer =
      rate === current ? undefined : await client.post('simulator', '/rate', { ratePerSec: rate })
    const refusal = answer && refusalOf('simulator', answer)
    if (refusal) return refuse(actor, { ...rec, before: beforeRate }, refusal.code, refusal.message)
    const after = answer ? parseComponentStatus('simulator', answer.body) : before
    const afterRate = { ratePerSec: requireDetails('simulator', after).baseRatePerSec }
    return finish(
      actor,
      {
        ...rec,
        before: beforeRate,
        after: afterRate,
        detail: { ...rec.detail, changed: answer !== undefined, commandId: answer?.commandId },
      },
      {
        kind: 'ok',
        body: {
          changed: answer !== undefined,
          before: beforeRate,
          after: afterRate,
          message: `simulator rate ${answer ? 'set to' : 'stays at'} ${formatRate(afterRate.ratePerSec)}`,
          status: after,
        },
      },
    )
  } catch (err) {
    return fail(actor, { ...rec, before: beforeRate }, err)
  }
}

async function setRateCap(ctx: CommandContext, actor: Actor, requested: unknown): Promise<CommandOutcome> {
  const { deps } = ctx
  const { client } = deps
  const { refuse, fail, forbidden, finish } = ctx.recorder
  const old = deps.rateCap.get()
  const rec: CommandRecord = {
    command: 'limits.set',
    target: 'simulator.rate',
    before: { rateCapPerSec: old.capPerSec },
  }
  const denied = forbidden(actor, rec, 'admin')
  if (denied) return denied
  if (requested !== null && (typeof requested !== 'number' || !Number.isFinite(requested) || requested < 0)) {
    return refuse(
      actor,
      rec,
      'LIMIT_INVALID',
      'rateCapPerSec must be a number of events per second ≥ 0, or null for the simulator’s own cap',
    )
  }
  let hardCap: number | null
  try {
    hardCap = requireDetails('simulator', await client.status('simulator')).capPerSec
  } catch (err) {
    return fail(actor, rec, err)
  }
  if (typeof requested === 'number' && hardCap !== null && requested > hardCap) {
    return refuse(
      actor,
      rec,
      'LIMIT_INVALID',
      `the cap cannot exceed the simulator’s own limit of ${formatRate(hardCap)} (SIMULATOR_MAX_RATE_PER_SEC)`,
      { hardCapPerSec: hardCap },
    )
  }
  const setting: CapSetting = { capPerSec: requested, setBy: actor.user, setAt: deps.clock().toISOString() }
  deps.rateCap.set(setting)
  return finish(
    actor,
    { ...rec, after: { rateCapPerSec: requested } },
    {
      kind: 'ok',
      body: { limits: limitsView(deps.rateSettings, setting, hardCap) },
    },
  )
}

function limitsView(settings: RateLimitSettings, cap: CapSetting, hardCap: number | null) {
  return {
    rateCapPerSec: cap.capPerSec,
    rateCapSetBy: cap.setBy,
    rateCapSetAt: cap.setAt,
    simulatorCapPerSec: hardCap,
    effectiveCapPerSec: effectiveCap(cap, hardCap),
    confirmFactor: settings.confirmFactor,
    confirmMinStep: settings.confirmMinStep,
  }
}

export type Commander = ReturnType<typeof createCommander>

/** Loads the admin's last cap from the audit trail (the default stays when there is none). */
export async function loadRateCap(audit: AuditLog, rateCap: RateCap): Promise<void> {
  const row = await audit.latestOk('limits.set')
  const after = row?.after as { rateCapPerSec?: unknown } | undefined
  if (row && after && (after.rateCapPerSec === null || typeof after.rateCapPerSec === 'number')) {
    rateCap.set({ capPerSec: after.rateCapPerSec, setBy: row.actor, setAt: row.at })
  }
}
