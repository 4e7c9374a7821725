/**
 * The control service's HTTP server: the shared component surface (/healthz, /readyz, /metrics,
 * /status), the web panel's files, and the authenticated API under /api/v1 (docs/api/control.md).
 */
import type { FastifyInstance } from 'fastify'
import {
  buildComponentServerWithAccess,
  type Readiness,
  type ServerGuards,
  type StateTracker,
} from '../platform/component-server.ts'
import type { Logger } from '../platform/logger.ts'
import type { MetricsRegistry } from '../platform/metrics.ts'
import { installApiRoutes, type ApiDeps } from './api-routes.ts'
import { installAuth, type AuthDeps } from './auth/auth.ts'
import { installDlqRoutes, type DlqDeps } from './dead-letters/routes.ts'
import { installStatic } from './static.ts'

export interface ControlServerOptions {
  readonly logger: Logger
  readonly registry: MetricsRegistry
  readonly tracker: StateTracker
  readonly details: () => Record<string, unknown>
  readonly readiness?: () => Promise<Readiness> | Readiness
  readonly guards: ServerGuards
  readonly auth: AuthDeps
  readonly api: ApiDeps
  readonly dlq: DlqDeps
  /** Extra API routes (the business views). */
  readonly extra?: (app: FastifyInstance) => void
}

export function buildControlServer(options: ControlServerOptions): FastifyInstance {
  const { app, access } = buildComponentServerWithAccess({
    component: 'control',
    logger: options.logger,
    metrics: options.registry,
    status: () => ({ ...options.tracker.snapshot(), details: options.details() }),
    ...(options.readiness ? { readiness: options.readiness } : {}),
    ...options.guards,
  })
  installStatic(app)
  installAuth(app, access, options.auth)
  installApiRoutes(app, options.api)
  installDlqRoutes(app, options.dlq)
  options.extra?.(app)
  return app
}
