/**
 * The HTTP surface every component shares, so the control service, Prometheus and `sretl` can
 * treat them alike:
 *
 *   GET  /healthz   200 while the process runs
 *   GET  /readyz    200 when its dependencies answer (Kafka, PostgreSQL…), else 503 with reasons
 *   GET  /metrics   Prometheus text format
 *   GET  /status    ComponentStatus (state RUNNING | PAUSED | FAILED …, last error, details)
 *   POST /pause     pause the component's flow (idempotent); 404 when it cannot be paused
 *   POST /resume    resume it (idempotent)
 *
 * Components add their own routes on the returned Fastify instance before it listens.
 */
import { hostname } from 'node:os'
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify'
import type { Logger } from './logger.ts'
import { renderMetrics, type MetricsRegistry } from './metrics.ts'

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
  /** Believe X-Forwarded-For/-Proto of a reverse proxy (request.ip, request.protocol). */
  readonly trustProxy?: boolean
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
  const app = Fastify({
    // the cast widens Fastify's logger generic to the base type the rest of the code uses
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    trustProxy: options.trustProxy ?? false,
  })
  const currentStatus = (): ComponentStatus => componentStatus(options.component, options.status())

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  )
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = httpError(error, options.bodyLimit ?? 1024 * 1024)
    if (mapped.status >= 500) {
      options.logger.error({ err: error.message, method: request.method, url: request.url }, 'request failed')
    }
    return reply.code(mapped.status).send({ code: mapped.code, message: mapped.message })
  })
  app.get('/healthz', () => ({ ok: true }))
  app.get('/readyz', async (_request, reply) => {
    const readiness = (await options.readiness?.()) ?? { ready: true, reasons: [] }
    return reply.code(readiness.ready ? 200 : 503).send(readiness)
  })
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await renderMetrics(options.metrics)
    return reply.type(contentType).send(body)
  })
  app.get('/status', () => currentStatus())
  const control = options.control
  for (const action of ['pause', 'resume'] as const) {
    app.post(`/${action}`, async (request, reply) => {
      if (!control) {
        return reply
          .code(404)
          .send({ code: 'NOT_PAUSABLE', message: `${options.component} cannot be paused` })
      }
      const reason = readReason(request.body)
      await control[action](reason)
      options.logger.info({ action, reason }, 'control command applied')
      return currentStatus()
    })
  }
  return app
}

/** Fastify's own errors (body parsing, limits, timeouts) as the program's JSON error codes. */
export function httpError(
  error: { code?: string; statusCode?: number; message: string },
  bodyLimit: number,
): {
  status: number
  code: string
  message: string
} {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'BODY_TOO_LARGE',
        message: `the request body is larger than the ${bodyLimit} bytes this server accepts; split it`,
      }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: error.message }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'BODY_NOT_JSON', message: error.message }
    default:
      break
  }
  if (error instanceof SyntaxError) return { status: 400, code: 'BODY_NOT_JSON', message: error.message }
  const status = error.statusCode ?? 500
  if (status === 408)
    return { status, code: 'REQUEST_TIMEOUT', message: 'the request was not received in time' }
  if (status >= 400 && status < 500)
    return { status, code: error.code ?? 'BAD_REQUEST', message: error.message }
  return { status: 500, code: 'INTERNAL', message: 'unexpected error; see the component log' }
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
