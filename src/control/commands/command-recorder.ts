/**
 * The bookkeeping every operator command shares, applied or not: one audit_log row with the
 * state before and after, a metric and a log line; and the shapes of its refusals and failures.
 * A command's outcome is typed (ok / refused / failed with an error code), never an HTTP status:
 * the control API maps it to HTTP in one place, command-replies.ts (ADR 0056).
 */
import { errorMessage, isSretlError, type ErrorCode } from '../../platform/errors.ts'
import type { Logger } from '../../platform/logger.ts'
import type { AuditEntry, AuditLog, AuditResult } from '../audit.ts'
import { roleAllows, type Principal, type Role } from '../auth/users.ts'

export interface Actor extends Principal {
  readonly sourceIp?: string | undefined
  readonly userAgent?: string | undefined
}

type Fields = Readonly<Record<string, unknown>>

/** Applied (or nothing to do: a repeat changes nothing more); `body` is what the caller is told. */
export interface CommandOk {
  readonly kind: 'ok'
  readonly body: Fields
}

/** Not applied because a rule or the component said no; nothing changed. */
export interface CommandRefused {
  readonly kind: 'refused'
  readonly code: ErrorCode
  readonly message: string
  /** More for the caller (the cap, what to confirm). */
  readonly extra?: Fields
}

/** Not (or not fully) applied because something broke: a component or Kafka did not answer. */
export interface CommandFailed {
  readonly kind: 'failed'
  readonly code: ErrorCode
  readonly message: string
  readonly extra?: Fields
}

export type CommandResult = CommandOk | CommandRefused | CommandFailed

/** A command's result once recorded; auditId is null when the audit row could not be written. */
export type CommandOutcome = CommandResult & { readonly auditId: number | null }

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
  async function finish(actor: Actor, rec: CommandRecord, result: CommandResult): Promise<CommandOutcome> {
    const entry: AuditEntry = {
      actor: actor.user,
      role: actor.role,
      action: rec.command,
      target: rec.target,
      sourceIp: actor.sourceIp,
      userAgent: actor.userAgent,
      before: rec.before,
      after: rec.after,
      result: result.kind,
      detail: rec.detail,
    }
    metrics.commandDone(rec.command, result.kind)
    let auditId: number | undefined
    try {
      auditId = await audit.write(entry)
    } catch (err) {
      metrics.auditFailed()
      // the command stands (it may be an emergency); the log keeps what the row would have held
      logger.error({ err, entry }, 'audit write failed')
    }
    const outcome = result.kind
    logger.info({ command: rec.command, target: rec.target, actor: actor.user, result: outcome }, 'command')
    return { ...result, auditId: auditId ?? null }
  }

  /** A refusal: the audit row's detail keeps the code and message. */
  function refuse(
    actor: Actor,
    rec: CommandRecord,
    code: ErrorCode,
    message: string,
    extra?: Fields,
  ): Promise<CommandOutcome> {
    return finish(
      actor,
      { ...rec, detail: { ...rec.detail, code, message } },
      {
        kind: 'refused',
        code,
        message,
        ...(extra ? { extra } : {}),
      },
    )
  }

  /** A failure from what was thrown: its code (INTERNAL when it carries none) and message. */
  function fail(actor: Actor, rec: CommandRecord, err: unknown): Promise<CommandOutcome> {
    const code: ErrorCode = isSretlError(err) ? err.code : 'INTERNAL'
    const message = errorMessage(err)
    return finish(
      actor,
      { ...rec, detail: { ...rec.detail, code, message } },
      { kind: 'failed', code, message },
    )
  }

  function forbidden(actor: Actor, rec: CommandRecord, needed: Role): Promise<CommandOutcome> | undefined {
    if (roleAllows(actor.role, needed)) return undefined
    return refuse(
      actor,
      rec,
      'ROLE_FORBIDDEN',
      `${actor.user} is a ${actor.role}: ${actor.role === 'viewer' ? 'viewers see everything and change nothing; ' : ''}this needs the ${needed} role`,
    )
  }

  return { finish, refuse, fail, forbidden }
}

export type Recorder = ReturnType<typeof createRecorder>
