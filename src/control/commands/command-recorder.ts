/**
 * The bookkeeping every operator command shares, applied or not: one audit_log row with the
 * state before and after, a metric and a log line; and the shapes of its refusals and failures.
 */
import { errorMessage, httpStatus, isSretlError, type ErrorCode } from '../../platform/errors.ts'
import type { Logger } from '../../platform/logger.ts'
import type { AuditEntry, AuditLog, AuditResult } from '../audit.ts'
import { roleAllows, type Principal, type Role } from '../auth/users.ts'

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

export interface RecorderDeps {
  readonly audit: AuditLog
  readonly logger: Logger
  readonly metrics: CommandMetrics
}

export interface CommandRecord {
  readonly command: string
  readonly target: string
  readonly before?: unknown
  readonly after?: unknown
  readonly detail?: Readonly<Record<string, unknown>>
}

/** The bookkeeping every command shares: its audit row, metric and log line, and its refusals. */
export function createRecorder(deps: RecorderDeps) {
  const { audit, logger, metrics } = deps

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

  return { finish, refuse, fail, forbidden }
}

export type Recorder = ReturnType<typeof createRecorder>
