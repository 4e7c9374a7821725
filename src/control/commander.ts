/**
 * The commands operators give — pause/resume a component, set the simulator's rate, stop or
 * resume all intake, change the rate cap — with their rules enforced here, on the server:
 * roles, the safe limits of limits.ts, and idempotency (repeating a command changes nothing
 * more and is answered the same way). Every command, applied or not, is one audit_log row with
 * the state before and after, read from the component itself. The HTTP API and `sretl` (when
 * the control service is not running) both run commands through this one module.
 */
import type { ComponentStatus } from '../platform/component-server.ts'
import { controlTargets, isControlTarget, type ControlTargetName } from '../platform/control-targets.ts'
import { errorMessage, httpStatus, isErrorCode, isSretlError, type ErrorCode } from '../platform/errors.ts'
import type { Logger } from '../platform/logger.ts'
import type { AuditEntry, AuditLog, AuditResult } from './audit.ts'
import type { ComponentClient } from './component-client.ts'
import { formatRate } from './format.ts'
import {
  checkRateChange,
  effectiveCap,
  type CapSetting,
  type RateCap,
  type RateLimitSettings,
} from './limits.ts'
import { roleAllows, type Principal, type Role } from './users.ts'
import { parseComponentStatus, requireDetails, type StatusDetails } from '../platform/status-details.ts'

export interface Actor extends Principal {
  readonly sourceIp?: string | undefined
  readonly userAgent?: string | undefined
}

/** An HTTP-shaped answer: the API sends it as is, the CLI prints it. */
export interface CommandOutcome {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
}

export interface CommandMetrics {
  commandDone(command: string, result: AuditResult): void
  auditFailed(): void
}

export interface CommanderDeps {
  readonly client: ComponentClient
  readonly audit: AuditLog
  readonly rateCap: RateCap
  readonly rateSettings: RateLimitSettings
  readonly logger: Logger
  readonly metrics: CommandMetrics
  readonly clock: () => Date
}

interface CommandRecord {
  readonly command: string
  readonly target: string
  readonly before?: unknown
  readonly after?: unknown
  readonly detail?: Readonly<Record<string, unknown>>
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

export function createCommander(deps: CommanderDeps) {
  const { client, audit, logger, metrics } = deps

  /** Writes the audit row (never failing the command for it) and counts the outcome. */
  async function finish(
    actor: Actor,
    rec: CommandRecord,
    result: AuditResult,
    outcome: CommandOutcome,
  ): Promise<CommandOutcome> {
    const entry: AuditEntry = {
      actor: actor.user,
      role: actor.role,
      action: rec.command,
      target: rec.target,
      sourceIp: actor.sourceIp,
      userAgent: actor.userAgent,
      before: rec.before,
      after: rec.after,
      result,
      detail: rec.detail,
    }
    metrics.commandDone(rec.command, result)
    let auditId: number | undefined
    try {
      auditId = await audit.write(entry)
    } catch (err) {
      metrics.auditFailed()
      // the command stands (it may be an emergency); the log keeps what the row would have held
      logger.error({ err, entry }, 'audit write failed')
    }
    logger.info({ command: rec.command, target: rec.target, actor: actor.user, result }, 'command')
    return {
      status: outcome.status,
      body: { ...outcome.body, audited: auditId !== undefined, auditId: auditId ?? null },
    }
  }

  function refuse(
    actor: Actor,
    rec: CommandRecord,
    status: number,
    code: ErrorCode,
    message: string,
    extra: Readonly<Record<string, unknown>> = {},
  ): Promise<CommandOutcome> {
    return finish(actor, { ...rec, detail: { ...rec.detail, code, message } }, 'refused', {
      status,
      body: { result: 'refused', code, message, ...extra },
    })
  }

  function fail(actor: Actor, rec: CommandRecord, err: unknown): Promise<CommandOutcome> {
    const code: ErrorCode = isSretlError(err) ? err.code : 'INTERNAL'
    const message = errorMessage(err)
    return finish(actor, { ...rec, detail: { ...rec.detail, code, message } }, 'failed', {
      status: httpStatus(code),
      body: { result: 'failed', code, message },
    })
  }

  function forbidden(actor: Actor, rec: CommandRecord, needed: Role): Promise<CommandOutcome> | undefined {
    if (roleAllows(actor.role, needed)) return undefined
    return refuse(
      actor,
      rec,
      403,
      'ROLE_FORBIDDEN',
      `${actor.user} is a ${actor.role}: ${actor.role === 'viewer' ? 'viewers see everything and change nothing; ' : ''}this needs the ${needed} role`,
    )
  }

  async function flow(
    actor: Actor,
    action: 'pause' | 'resume',
    target: string,
    reason: string,
    extra: Readonly<Record<string, unknown>> = {},
  ): Promise<CommandOutcome> {
    const rec: CommandRecord = { command: action, target, detail: { reason, ...extra } }
    const denied = forbidden(actor, rec, 'operator')
    if (denied) return denied
    if (!isControlTarget(target)) {
      return refuse(
        actor,
        rec,
        404,
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
      if (answer.status !== 200) {
        const code = isErrorCode(answer.body.code) ? answer.body.code : 'COMPONENT_REFUSED'
        const message =
          typeof answer.body.message === 'string' ? answer.body.message : `answered ${answer.status}`
        return refuse(
          actor,
          { ...rec, before: stateOf(before) },
          answer.status === 404 ? 409 : answer.status,
          code,
          message,
        )
      }
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
        'ok',
        {
          status: 200,
          body: {
            result: 'ok',
            target,
            changed,
            before: stateOf(before),
            after: stateOf(after),
            status: after,
          },
        },
      )
    } catch (err) {
      return fail(actor, { ...rec, before: stateOf(before) }, err)
    }
  }

  async function intake(actor: Actor, action: 'pause' | 'resume', reason: string): Promise<CommandOutcome> {
    const targets = (Object.keys(controlTargets) as ControlTargetName[]).filter(
      (t) => controlTargets[t].intake,
    )
    const command = action === 'pause' ? 'intake.stop' : 'intake.resume'
    const rec: CommandRecord = { command, target: targets.join(','), detail: { reason } }
    const denied = forbidden(actor, rec, 'operator')
    if (denied) return denied
    const results = await Promise.all(
      targets.map(async (target) => {
        try {
          const before = stateOf(await client.status(target))
          const answer = await client.post(target, `/${action}`, { reason })
          if (answer.status !== 200) {
            return { target, before, ok: false, message: messageOf(answer.body, String(answer.status)) }
          }
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
    const pick = (key: 'before' | 'after') =>
      Object.fromEntries(results.map((r) => [r.target, r[key] ?? null]))
    const failures = results.filter((r) => !r.ok).map((r) => ({ target: r.target, message: r.message }))
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
      ok ? 'ok' : 'failed',
      {
        status: ok ? 200 : 502,
        body: ok
          ? { result: 'ok', targets: results }
          : {
              result: 'failed',
              code: 'COMPONENT_UNREACHABLE',
              message: `${action === 'pause' ? 'stopping' : 'resuming'} intake failed for ${failures.map((f) => `${f.target} (${f.message})`).join(', ')}; the others were ${action === 'pause' ? 'paused' : 'resumed'}`,
              targets: results,
            },
      },
    )
  }

  async function setRate(
    actor: Actor,
    requested: unknown,
    confirm: boolean,
    extra: Readonly<Record<string, unknown>> = {},
  ): Promise<CommandOutcome> {
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
      return refuse(
        actor,
        { ...rec, before: beforeRate },
        check.status,
        check.code,
        check.message,
        check.extra,
      )
    }
    const rate = requested as number
    try {
      const answer =
        rate === current ? undefined : await client.post('simulator', '/rate', { ratePerSec: rate })
      if (answer && answer.status !== 200) {
        const code = isErrorCode(answer.body.code) ? answer.body.code : 'COMPONENT_REFUSED'
        return refuse(
          actor,
          { ...rec, before: beforeRate },
          answer.status,
          code,
          messageOf(answer.body, `answered ${answer.status}`),
        )
      }
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
        'ok',
        {
          status: 200,
          body: {
            result: 'ok',
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

  async function setRateCap(actor: Actor, requested: unknown): Promise<CommandOutcome> {
    const old = deps.rateCap.get()
    const rec: CommandRecord = {
      command: 'limits.set',
      target: 'simulator.rate',
      before: { rateCapPerSec: old.capPerSec },
    }
    const denied = forbidden(actor, rec, 'admin')
    if (denied) return denied
    if (
      requested !== null &&
      (typeof requested !== 'number' || !Number.isFinite(requested) || requested < 0)
    ) {
      return refuse(
        actor,
        rec,
        400,
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
        422,
        'LIMIT_INVALID',
        `the cap cannot exceed the simulator’s own limit of ${formatRate(hardCap)} (SIMULATOR_MAX_RATE_PER_SEC)`,
        { hardCapPerSec: hardCap },
      )
    }
    const setting: CapSetting = { capPerSec: requested, setBy: actor.user, setAt: deps.clock().toISOString() }
    deps.rateCap.set(setting)
    return finish(actor, { ...rec, after: { rateCapPerSec: requested } }, 'ok', {
      status: 200,
      body: { result: 'ok', limits: limitsView(setting, hardCap) },
    })
  }

  function limitsView(cap: CapSetting, hardCap: number | null) {
    return {
      rateCapPerSec: cap.capPerSec,
      rateCapSetBy: cap.setBy,
      rateCapSetAt: cap.setAt,
      simulatorCapPerSec: hardCap,
      effectiveCapPerSec: effectiveCap(cap, hardCap),
      confirmFactor: deps.rateSettings.confirmFactor,
      confirmMinStep: deps.rateSettings.confirmMinStep,
    }
  }

  return {
    pause: (actor: Actor, target: string, reason: string, extra?: Readonly<Record<string, unknown>>) =>
      flow(actor, 'pause', target, reason, extra),
    resume: (actor: Actor, target: string, reason: string) => flow(actor, 'resume', target, reason),
    stopIntake: (actor: Actor, reason: string) => intake(actor, 'pause', reason),
    resumeIntake: (actor: Actor, reason: string) => intake(actor, 'resume', reason),
    setRate,
    setRateCap,
    limitsView: (hardCap: number | null) => limitsView(deps.rateCap.get(), hardCap),
    /** Records a command run elsewhere (DLQ replay) the same way: audit row, metrics, log. */
    record: finish,
    refuse,
    forbidden,
    /** A command route refused for the role before its handler ran: the row the command would write. */
    refuseRole: (actor: Actor, command: { command: string; target: string }, needed: Role) =>
      forbidden(
        actor,
        command.command === 'limits.set'
          ? { ...command, before: { rateCapPerSec: deps.rateCap.get().capPerSec } }
          : command,
        needed,
      ),
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
