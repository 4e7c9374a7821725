/**
 * The simulator's HTTP API (docs/api/simulator.md): the shared component surface (/status with
 * the simulator's details, /pause, /resume, /metrics, /healthz, /readyz) plus POST /rate.
 */
import type { FastifyInstance } from 'fastify'
import {
  buildComponentServer,
  componentStatus,
  type Readiness,
  type ServerGuards,
} from '../platform/component-server.ts'
import type { Logger } from '../platform/logger.ts'
import type { MetricsRegistry } from '../platform/metrics.ts'
import type { Simulator } from './simulator.ts'
import { httpStatus } from '../platform/errors.ts'
import type { DetailsContract } from '../platform/status-details.ts'

export interface SimulatorServerOptions {
  readonly simulator: Simulator
  readonly logger: Logger
  readonly metrics: MetricsRegistry
  readonly readiness?: () => Promise<Readiness> | Readiness
  readonly guards: ServerGuards
}

export function buildSimulatorServer(options: SimulatorServerOptions): FastifyInstance {
  const { simulator } = options
  const status = () => ({
    ...simulator.tracker.snapshot(),
    details: simulator.details() satisfies DetailsContract<'simulator'>,
  })
  const app = buildComponentServer({
    component: 'simulator',
    logger: options.logger,
    metrics: options.metrics,
    status,
    ...(options.readiness ? { readiness: options.readiness } : {}),
    control: {
      pause: (reason) => simulator.pause(reason),
      resume: (reason) => simulator.resume(reason),
    },
    ...options.guards,
  })
  app.post('/rate', { config: { access: 'component-admin' } }, async (request, reply) => {
    const body = request.body as { ratePerSec?: unknown } | null | undefined
    const requested = typeof body === 'object' && body !== null ? body.ratePerSec : undefined
    const ratePerSec = typeof requested === 'number' ? requested : Number.NaN
    const outcome = simulator.setRate(ratePerSec)
    if (!outcome.ok) {
      const { code, message, capPerSec } = outcome
      return reply.code(httpStatus(code)).send({ code, message, capPerSec })
    }
    return reply.send(componentStatus('simulator', status()))
  })
  return app
}
