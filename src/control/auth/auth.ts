/**
 * Who is asking, for every route whose declared access level is viewer, operator or admin
 * (route-access.ts): a session cookie (the panel) or a bearer token (`sretl`, scripts). Without
 * either: 401; with a role below the route's: 403 ROLE_FORBIDDEN (a command route's refusal is
 * audited like the commander's own). State changes through a session must carry the session's CSRF
 * token in the X-CSRF-Token header and must not come from another origin; bearer requests need
 * no CSRF token (a browser never sends them by itself). Sign-in and wrong tokens are rate
 * limited per address and user name. Passwords and tokens never reach a log line.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { foreignOrigin } from '../../platform/component-admin.ts'
import { httpStatus, type ErrorCode } from '../../platform/errors.ts'
import type { Logger } from '../../platform/logger.ts'
import type { RouteAccess } from '../../platform/route-access.ts'
import type { AuditLog } from '../audit.ts'
import { sendCommandReply } from '../command-replies.ts'
import type { Actor, CommandOutcome } from '../commands/commander.ts'
import type { LoginLimiter } from './login-limiter.ts'
import type { ControlMetrics } from '../metrics.ts'
import { readCookie, SESSION_COOKIE, sessionCookie, type Session, type SessionStore } from './sessions.ts'
import { roleAllows, type Principal, type Role, type UserDirectory } from './users.ts'

export interface AuthDeps {
  readonly directory: UserDirectory
  readonly sessions: SessionStore
  readonly limiter: LoginLimiter
  readonly audit: AuditLog
  readonly metrics: ControlMetrics
  readonly logger: Logger
  readonly secureCookie: 'auto' | 'always' | 'never'
  /** Audits a command route refused for the caller's role (the commander's own refusal). */
  readonly refuseRole?: (
    actor: Actor,
    command: RouteCommand,
    needed: Role,
  ) => Promise<CommandOutcome> | undefined
}

/** What a command route is called in the audit trail, for refusals before the handler runs. */
export interface RouteCommand {
  readonly command: string
  readonly target: string
}

export interface Caller extends Principal {
  readonly via: 'session' | 'token'
  readonly session?: Session
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
export const CSRF_HEADER = 'x-csrf-token'

/** An error answer: the status is the code's (error-catalogue.ts), the body `{ code, message, … }`. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string, extra: object = {}) {
  return reply.code(httpStatus(code)).send({ code, message, ...extra })
}

/** The caller of an authenticated request (set by the hook below). */
export function callerOf(request: FastifyRequest): Caller {
  const caller = request.caller
  if (!caller) throw new Error('route reached without authentication')
  return caller
}

export function actorOf(request: FastifyRequest): Actor {
  const caller = callerOf(request)
  const agent = request.headers['user-agent']
  return {
    user: caller.user,
    role: caller.role,
    sourceIp: request.ip,
    userAgent: typeof agent === 'string' ? agent : undefined,
  }
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** Constant-time comparison of two secrets of any length (digests of equal length). */
export function sameSecret(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string') return false
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest()
  return timingSafeEqual(digest(sent), digest(expected))
}

/** A user name as it may be stored and logged: at most 64 characters, controls and quotes escaped. */
export function boundedUserName(user: string): string {
  return [...user.slice(0, 64)]
    .map((c) =>
      /^[\p{L}\p{N}._@-]$/u.test(c) ? c : `\\u${c.codePointAt(0)?.toString(16).padStart(4, '0') ?? ''}`,
    )
    .join('')
    .slice(0, 400)
}

export function installAuth(app: FastifyInstance, access: RouteAccess, deps: AuthDeps): void {
  const { metrics } = deps
  app.decorateRequest('caller', null)

  const secure = (request: FastifyRequest): boolean =>
    deps.secureCookie === 'always' || (deps.secureCookie === 'auto' && request.protocol === 'https')

  const authenticate = authenticator(deps)

  for (const needed of ['viewer', 'operator', 'admin'] as const) {
    access.define(needed, async (request, reply) => {
      const refused = authenticate(request, reply)
      if (refused) return refused
      const caller = callerOf(request)
      if (roleAllows(caller.role, needed)) return undefined
      metrics.denied.inc({ reason: 'role' })
      const command = request.routeOptions.config.command
      if (command && deps.refuseRole) {
        const params = (request.params ?? {}) as Record<string, string | undefined>
        const target = command.target.startsWith(':')
          ? (params[command.target.slice(1)] ?? '')
          : command.target
        const outcome = await deps.refuseRole(actorOf(request), { command: command.command, target }, needed)
        if (outcome) return sendCommandReply(reply, outcome)
      }
      return sendError(
        reply,
        'ROLE_FORBIDDEN',
        `${caller.user} is a ${caller.role}: this needs the ${needed} role`,
      )
    })
  }

  installSessionRoutes(app, deps, secure)
}

/** Who is asking: sets request.caller, or answers 401/403/429 and returns the reply. */
function authenticator(deps: AuthDeps) {
  const { sessions, limiter, metrics } = deps
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const token = bearerOf(request)
    if (token !== undefined) {
      const principal = deps.directory.bearer(token)
      if (!principal) {
        const limited = limiter.attempt([`ip:${request.ip}`])
        metrics.denied.inc({ reason: limited.ok ? 'unauthenticated' : 'rate_limited' })
        if (!limited.ok) {
          return sendError(
            reply.header('retry-after', String(limited.retryAfterSec)),
            'LOGIN_RATE_LIMITED',
            `too many failed attempts from this address; retry in ${limited.retryAfterSec} s`,
            { retryAfterSec: limited.retryAfterSec },
          )
        }
        return sendError(reply, 'TOKEN_INVALID', 'this bearer token is not known to the control service')
      }
      request.caller = { ...principal, via: 'token' }
      return undefined
    }
    const id = readCookie(request.headers.cookie, SESSION_COOKIE)
    const session = id ? sessions.get(id) : undefined
    if (!session) {
      metrics.denied.inc({ reason: 'unauthenticated' })
      return sendError(
        reply,
        'AUTH_REQUIRED',
        'sign in first (POST /api/v1/login), or send Authorization: Bearer <token>',
      )
    }
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER]
      if (!sameSecret(sent, session.csrfToken) || foreignOrigin(request)) {
        metrics.denied.inc({ reason: 'csrf' })
        return sendError(
          reply,
          'CSRF_TOKEN_INVALID',
          `a change through a session needs the session's CSRF token in the ${CSRF_HEADER} header, from the panel's own origin`,
        )
      }
    }
    request.caller = { user: session.user, role: session.role, via: 'session', session }
    return undefined
  }
}

/** Sign-in (rate limited, audited), sign-out and the current session. */
function installSessionRoutes(
  app: FastifyInstance,
  deps: AuthDeps,
  secure: (request: FastifyRequest) => boolean,
): void {
  const { sessions, limiter, metrics } = deps
  app.post('/api/v1/login', { config: { access: 'public' } }, async (request, reply) => {
    const body = (request.body ?? {}) as { user?: unknown; password?: unknown }
    const user = typeof body.user === 'string' ? boundedUserName(body.user.trim()) : ''
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : ''
    if (user === '' || password === '') {
      return sendError(reply, 'REQUEST_INVALID', 'send {"user": "…", "password": "…"}')
    }
    const agent = request.headers['user-agent']
    const audit = (result: 'ok' | 'refused', role: string, detail?: object) =>
      deps.audit
        .write({
          actor: user,
          role,
          action: 'session.login',
          target: 'control',
          sourceIp: request.ip,
          userAgent: typeof agent === 'string' ? agent : undefined,
          result,
          detail,
        })
        .catch((err: unknown) => deps.logger.warn({ err }, 'audit write failed'))
    const limited = limiter.attempt([`ip:${request.ip}`, `user:${user}`])
    if (!limited.ok) {
      metrics.logins.inc({ result: 'limited' })
      deps.logger.warn({ user, ip: request.ip }, 'sign-in rate limited')
      return sendError(
        reply.header('retry-after', String(limited.retryAfterSec)),
        'LOGIN_RATE_LIMITED',
        `too many sign-in attempts; retry in ${limited.retryAfterSec} s`,
        { retryAfterSec: limited.retryAfterSec },
      )
    }
    const principal = await deps.directory.login(user, password)
    if (!principal) {
      metrics.logins.inc({ result: 'refused' })
      deps.logger.info({ user, ip: request.ip }, 'sign-in refused')
      await audit('refused', 'none', { code: 'LOGIN_FAILED' })
      return sendError(reply, 'LOGIN_FAILED', 'wrong user name or password')
    }
    const session = sessions.create(principal)
    metrics.logins.inc({ result: 'ok' })
    deps.logger.info({ user, role: principal.role, ip: request.ip }, 'signed in')
    await audit('ok', principal.role)
    return reply
      .header('set-cookie', sessionCookie(session.id, sessions.cookieMaxAgeSec, secure(request)))
      .send({ user: session.user, role: session.role, csrfToken: session.csrfToken })
  })

  app.post('/api/v1/logout', { config: { access: 'viewer' } }, async (request, reply) => {
    const caller = callerOf(request)
    if (caller.session) sessions.delete(caller.session.id)
    return reply.header('set-cookie', sessionCookie('', 0, secure(request))).send({ result: 'ok' })
  })

  app.get('/api/v1/session', { config: { access: 'viewer' } }, (request) => {
    const caller = callerOf(request)
    return {
      user: caller.user,
      role: caller.role,
      via: caller.via,
      csrfToken: caller.session?.csrfToken ?? null,
    }
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null
  }
  interface FastifyContextConfig {
    /** A command route: how a refusal for the role is audited (`:name` takes the path parameter). */
    command?: RouteCommand
  }
}
