/**
 * The one place a command's outcome becomes an HTTP answer (ADR 0056): applied is 200; refused
 * and failed take their code's status from the error catalogue (httpStatus), so a code answers
 * with the same status whichever command or route gives it. The body is JSON: `{ result: "ok",
 * … }`, or `{ result, code, message, … }`; both say whether the audit row was written. The
 * control API's command routes and `sretl` (when it runs the commander itself) both answer
 * through here.
 */
import type { FastifyReply } from 'fastify'
import { httpStatus } from '../platform/errors.ts'
import type { CommandOutcome } from './commands/command-recorder.ts'

export interface CommandReply {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
}

const APPLIED = 200

export function commandReply(outcome: CommandOutcome): CommandReply {
  const audited = { audited: outcome.auditId !== null, auditId: outcome.auditId }
  if (outcome.kind === 'ok') return { status: APPLIED, body: { result: 'ok', ...outcome.body, ...audited } }
  const { kind, code, message, extra } = outcome
  return { status: httpStatus(code), body: { result: kind, code, message, ...extra, ...audited } }
}

/** Sends a command's outcome as the control API's answer. */
export function sendCommandReply(reply: FastifyReply, outcome: CommandOutcome): FastifyReply {
  const { status, body } = commandReply(outcome)
  return reply.code(status).send(body)
}
