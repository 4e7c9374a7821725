/**
 * The lander's HTTP surface: the shared component routes (/status with per-partition details,
 * /pause, /resume, /metrics, /healthz, /readyz) plus POST /maintenance, which runs partition
 * maintenance now and answers with its outcome.
 */
import type { FastifyInstance } from 'fastify'
import { buildComponentServer, type ServerGuards } from '../platform/component-server.ts'
import type { Logger } from '../platform/logger.ts'
import type { MetricsRegistry } from '../platform/metrics.ts'
import type { AggregatesStatus } from '../aggregates/in-stream/aggregates.ts'
import type { Lander } from './lander.ts'
import type { MaintenanceSchedule } from './maintenance.ts'
import type { DetailsContract } from '../platform/status-details.ts'

export interface LanderServerDeps {
  readonly lander: Lander
  readonly maintenance: MaintenanceSchedule
  readonly logger: Logger
  readonly metrics: MetricsRegistry
  /** The aggregates' watermark, horizon and unpublished rows; absent when they are disabled. */
  readonly aggregates?: () => AggregatesStatus
  readonly guards: ServerGuards
}

export function buildLanderServer(deps: LanderServerDeps): FastifyInstance {
  const { lander, maintenance } = deps
  const app = buildComponentServer({
    component: 'lander',
    logger: deps.logger,
    metrics: deps.metrics,
    status: () => {
      const status = lander.status()
      return {
        ...status,
        details: {
          ...status.details,
          maintenance: maintenance.status(),
          aggregates: deps.aggregates ? deps.aggregates() : null,
        } satisfies DetailsContract<'lander'>,
      }
    },
    readiness: () => {
      const status = lander.status()
      const reasons: string[] = []
      if (!lander.ready) reasons.push('not yet assigned partitions by the consumer group')
      if (status.state === 'FAILED') reasons.push(status.lastError?.message ?? 'landing fails')
      return { ready: reasons.length === 0, reasons }
    },
    control: {
      pause: (reason) => lander.pause(reason),
      resume: (reason) => lander.resume(reason),
    },
    ...deps.guards,
  })
  app.post('/maintenance', { config: { access: 'component-admin' } }, async () => {
    await maintenance.runNow()
    return maintenance.status()
  })
  return app
}
