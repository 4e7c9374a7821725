/**
 * The `component-admin` access level of the components' command routes (POST /pause, /resume,
 * /rate, /maintenance), and the journal of the commands they applied.
 *
 * A command must come from the same site (no foreign Origin, no cross-site Sec-Fetch-Site), to a
 * Host that is an address, `localhost` or a single-label service name (a DNS-rebinding page
 * has a dotted name), with the component-admin token as `Authorization: Bearer …`, and with an
 * `application/json` body — which a cross-site "simple" form or text/plain POST can never be.
 *
 * Every applied command goes into a bounded journal served in /status (`commands`), with an id:
 * the caller's `X-Sretl-Command-Id` when it sent one, else a fresh one. The control service,
 * which polls /status, writes an audit_log row for every command it did not give itself, so a
 * command that reaches a component directly (with the token) is audited too (ADR 0050).
 */
import { randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AccessCheck } from './route-access.ts'
import { httpStatus, type ErrorCode } from './errors.ts'

export const COMMAND_ID_HEADER = 'x-sretl-command-id'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface TokenVerifier {
  verify(presented: string | undefined): boolean
}

function refuse(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(httpStatus(code)).send({ code, message })
}

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
}

/** True for a Host a component may be addressed by: an IP, localhost, or a one-label service name. */
export function hostAllowed(host: string | undefined): boolean {
  if (host === undefined || host === '') return false
  let name: string
  try {
    name = new URL(`http://${host}`).hostname
  } catch {
    return false
  }
  const bare = name.replace(/^\[|\]$/g, '')
  if (isIP(bare) !== 0) return true
  return name === 'localhost' || /^[a-z0-9-]{1,63}$/i.test(name)
}

/** True when Origin (or Referer) names another site, or the browser says the request is cross-site. */
export function foreignOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site']
  if (site === 'cross-site' || site === 'same-site') return true
  const origin = request.headers.origin ?? request.headers.referer
  if (typeof origin !== 'string' || origin === '') return false
  try {
    return new URL(origin).host !== request.headers.host
  } catch {
    return true
  }
}

function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type']
  return typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type)
}

export function componentAdminCheck(token: TokenVerifier, onDenied?: (reason: string) => void): AccessCheck {
  return (request, reply) => {
    const deny = (code: ErrorCode, message: string, reason: string) => {
      onDenied?.(reason)
      return refuse(reply, code, message)
    }
    if (!hostAllowed(request.headers.host)) {
      return deny(
        'HOST_FORBIDDEN',
        'commands are accepted only for an address, localhost or a service name',
        'host',
      )
    }
    if (foreignOrigin(request)) {
      return deny('ORIGIN_FORBIDDEN', 'commands are not accepted from another site', 'origin')
    }
    if (!token.verify(bearerOf(request))) {
      return deny(
        'ADMIN_TOKEN_INVALID',
        'this command needs the component-admin token (COMPONENT_ADMIN_TOKEN_FILE) as Authorization: Bearer <token>',
        'token',
      )
    }
    if (!isJson(request)) {
      return deny('UNSUPPORTED_MEDIA_TYPE', 'commands take an application/json body, e.g. {}', 'media_type')
    }
    return undefined
  }
}

export interface AppliedCommand {
  readonly id: string
  readonly seq: number
  readonly at: string
  /** The route without its slash: pause, resume, rate, maintenance. */
  readonly action: string
  readonly status: number
  readonly before: string
  readonly after: string
  /** The command's fields (reason, ratePerSec), bounded. */
  readonly request: Readonly<Record<string, string | number | boolean>>
  readonly sourceIp: string
  readonly userAgent: string | undefined
}

/** A bounded ring of the commands applied, newest last. */
export class CommandJournal {
  readonly #max: number
  readonly #entries: AppliedCommand[] = []
  #seq = 0

  constructor(max = 100) {
    this.#max = max
  }

  record(entry: Omit<AppliedCommand, 'seq'>): AppliedCommand {
    this.#seq += 1
    const full = { ...entry, seq: this.#seq }
    this.#entries.push(full)
    if (this.#entries.length > this.#max) this.#entries.shift()
    return full
  }

  recent(): readonly AppliedCommand[] {
    return [...this.#entries]
  }
}

export function commandIdOf(request: FastifyRequest): string {
  const sent = request.headers[COMMAND_ID_HEADER]
  return typeof sent === 'string' && UUID.test(sent) ? sent.toLowerCase() : randomUUID()
}

/** The scalar fields of a command body, bounded: what the audit row shows as the request. */
export function commandFields(body: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  if (!body || typeof body !== 'object') return out
  for (const [key, value] of Object.entries(body).slice(0, 8)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(key)) continue
    if (typeof value === 'string') out[key] = value.slice(0, 200)
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value
  }
  return out
}
