/**
 * The HTTP surface every component shares, so the control service, Prometheus and `sretl` can
 * treat them alike:
 *
 *   GET  /healthz   200 while the process runs
 *   GET  /readyz    200 when its dependencies answer (Kafka, PostgreSQL…), else 503 with reasons
 *   GET  /metrics   Prometheus text format
 *   GET  /status    ComponentStatus (state RUNNING | PAUSED | FAILED …, last error, details,
 *                   the commands applied lately)
 *   POST /pause     pause the component's flow (idempotent); 404 when it cannot be paused
 *   POST /resume    resume it (idempotent)
 *
 * The first four are open; /pause, /resume and every other command route are `component-admin`
 * (component-admin.ts). Components add their own routes on the returned Fastify instance before it
 * listens, each declaring its access level (route-access.ts) or failing to register.
 */
import { hostname } from 'node:os'
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify'
import {
  CommandJournal,
  commandFields,
  commandIdOf,
  componentAdminCheck,
  type AppliedCommand,
  type TokenVerifier,
} from './component-admin.ts'
import { httpStatus, type ErrorCode } from './errors.ts'
import type { Logger } from './logger.ts'
import { renderMetrics, type MetricsRegistry } from './metrics.ts'
import { installRouteAccess, STRICT_ROUTING, type RouteAccess } from './route-access.ts'

export const COMPONENT_STATES = ['STARTING', 'RUNNING', 'PAUSED', 'FAILED', 'STOPPING'] as const
export type ComponentState = (typeof COMPONENT_STATES)[number]

export interface LastError {
  readonly code: string
  readonly message: string
  readonly at: string
}

export interface ComponentStatus {
  readonly component: string
  /** host:pid — which process answered, when several run. */
  readonly instance: string
  readonly state: ComponentState
  /** When the state last changed. */
  readonly since: string
  /** When this status was produced: a stale heartbeat means a hung process. */
  readonly heartbeatAt: string
  readonly lastError?: LastError
  /** Component-specific figures (rate, lag, partitions…), documented with the component. */
  readonly details: Readonly<Record<string, unknown>>
  /** The commands applied lately (bounded), for the control service's audit of direct commands. */
  readonly commands?: readonly AppliedCommand[]
}

export interface Readiness {
  readonly ready: boolean
  readonly reasons: readonly string[]
}

export interface PauseControl {
  pause(reason: string): Promise<void> | void
  resume(reason: string): Promise<void> | void
}

export interface ComponentServerOptions {
  readonly component: string
  readonly logger: Logger
  readonly metrics: MetricsRegistry
  readonly status: () => Pick<ComponentStatus, 'state' | 'since' | 'lastError' | 'details'>
  readonly readiness?: () => Promise<Readiness> | Readiness
  readonly control?: PauseControl
  /** Largest request body accepted (bytes); the gateway raises it for batches. */
  readonly bodyLimit?: number
  /** Longest time to receive a whole request (answered 408 REQUEST_TIMEOUT). */
  readonly requestTimeoutMs?: number
  /** Proxies whose X-Forwarded-For/-Proto are believed (addresses or CIDRs; TRUSTED_PROXIES). */
  readonly trustProxy?: readonly string[]
  /** Checks the component-admin token of command routes (admin-token.ts). */
  readonly adminToken: TokenVerifier
}

/** The route guards every component server takes from its runner (ComponentContext.http). */
export interface ServerGuards {
  readonly adminToken: TokenVerifier
  readonly trustProxy?: readonly string[]
}

export function instanceName(): string {
  return `${hostname()}:${process.pid}`
}

/** A ComponentStatus as /status serves it, for routes that answer with the new status. */
export function componentStatus(
  component: string,
  status: Pick<ComponentStatus, 'state' | 'since' | 'lastError' | 'details'>,
): ComponentStatus {
  return { component, instance: instanceName(), heartbeatAt: new Date().toISOString(), ...status }
}

export function buildComponentServer(options: ComponentServerOptions): FastifyInstance {
  return buildComponentServerWithAccess(options).app
}

/** The server and its access registry, for servers that add access levels (the control service). */
export function buildComponentServerWithAccess(options: ComponentServerOptions): {
  app: FastifyInstance
  access: RouteAccess
} {
  const app = Fastify({
    // the cast widens Fastify's logger generic to the base type the rest of the code uses
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // only the listed proxies may speak for a client; an empty list believes nobody
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    routerOptions: STRICT_ROUTING,
  })
  const access = installRouteAccess(app)
  access.define('component-admin', componentAdminCheck(options.adminToken))
  const journal = new CommandJournal()
  app.decorateRequest('stateBefore', null)
  const currentStatus = (): ComponentStatus => ({
    ...componentStatus(options.component, options.status()),
    commands: journal.recent(),
  })
  // every command applied, however it came, is journalled for the control service's audit
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.access === 'component-admin') request.stateBefore = options.status().state
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    const path = request.routeOptions.url
    if (request.stateBefore !== null && path !== undefined && reply.statusCode < 300) {
      const agent = request.headers['user-agent']
      const entry = journal.record({
        id: commandIdOf(request),
        at: new Date().toISOString(),
        action: path.replace(/^\//, ''),
        status: reply.statusCode,
        before: request.stateBefore,
        after: options.status().state,
        request: commandFields(request.body),
        sourceIp: request.ip,
        userAgent: typeof agent === 'string' ? agent.slice(0, 300) : undefined,
      })
      options.logger.info(
        { action: entry.action, commandId: entry.id, ip: entry.sourceIp },
        'command applied',
      )
    }
    done()
  })

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(httpStatus('NOT_FOUND'))
      .send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  )
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = httpError(error, options.bodyLimit ?? 1024 * 1024)
    if (mapped.status >= 500) {
      options.logger.error({ err: error, method: request.method, url: request.url }, 'request failed')
    }
    return reply.code(mapped.status).send({ code: mapped.code, message: mapped.message })
  })
  const open = { config: { access: 'public' } } as const
  const admin = { config: { access: 'component-admin' } } as const
  app.get('/healthz', open, () => ({ ok: true }))
  app.get('/readyz', open, async (_request, reply) => {
    const readiness = (await options.readiness?.()) ?? { ready: true, reasons: [] }
    return reply.code(readiness.ready ? 200 : 503).send(readiness)
  })
  app.get('/metrics', open, async (_request, reply) => {
    const { contentType, body } = await renderMetrics(options.metrics)
    return reply.type(contentType).send(body)
  })
  app.get('/status', open, () => currentStatus())
  const control = options.control
  for (const action of ['pause', 'resume'] as const) {
    app.post(`/${action}`, admin, async (request, reply) => {
      if (!control) {
        return reply
          .code(httpStatus('NOT_PAUSABLE'))
          .send({ code: 'NOT_PAUSABLE', message: `${options.component} cannot be paused` })
      }
      const reason = readReason(request.body)
      await control[action](reason)
      options.logger.info({ action, reason }, 'control command applied')
      return currentStatus()
    })
  }
  return { app, access }
}

/**
 * Fastify's own errors (body parsing, limits, timeouts, a malformed request) as catalogued codes:
 * an `FST_*` code never reaches a client, and the status is always the code's.
 */
export function httpError(
  error: { code?: string; statusCode?: number; message: string },
  bodyLimit: number,
): {
  status: number
  code: ErrorCode
  message: string
} {
  const answer = (code: ErrorCode, message: string) => ({ status: httpStatus(code), code, message })
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer(
        'BODY_TOO_LARGE',
        `the request body is larger than the ${bodyLimit} bytes this server accepts; split it`,
      )
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return answer('UNSUPPORTED_MEDIA_TYPE', error.message)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return answer('BODY_NOT_JSON', error.message)
    default:
      break
  }
  if (error instanceof SyntaxError) return answer('BODY_NOT_JSON', error.message)
  const status = error.statusCode ?? 500
  if (status === 408) return answer('REQUEST_TIMEOUT', 'the request was not received in time')
  if (status >= 400 && status < 500) return answer('REQUEST_INVALID', error.message)
  return answer('INTERNAL', 'unexpected error; see the component log')
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The component's state when a command route was entered (null elsewhere). */
    stateBefore: ComponentState | null
  }
}

function readReason(body: unknown): string {
  if (body && typeof body === 'object' && 'reason' in body && typeof body.reason === 'string') {
    return body.reason.slice(0, 200)
  }
  return 'operator request'
}

/** Tracks a component's state and last error for /status, and when each changed. */
export class StateTracker {
  #state: ComponentState = 'STARTING'
  #since = new Date().toISOString()
  #lastError: LastError | undefined
  readonly #now: () => Date

  constructor(now: () => Date = () => new Date()) {
    this.#now = now
  }

  get state(): ComponentState {
    return this.#state
  }

  set(state: ComponentState): void {
    if (state === this.#state) return
    this.#state = state
    this.#since = this.#now().toISOString()
  }

  fail(code: string, message: string): void {
    this.#lastError = { code, message, at: this.#now().toISOString() }
    this.set('FAILED')
  }

  recordError(code: string, message: string): void {
    this.#lastError = { code, message, at: this.#now().toISOString() }
  }

  snapshot(): Pick<ComponentStatus, 'state' | 'since' | 'lastError'> {
    return {
      state: this.#state,
      since: this.#since,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    }
  }
}
