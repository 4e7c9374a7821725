/**
 * The gateway's HTTP server: the shared component surface (/healthz, /readyz, /metrics, /status,
 * /pause, /resume) plus POST /v1/sales and GET /openapi.json (docs/api/gateway.md). The ingest
 * route reads its body as raw bytes in a scope of its own, so JSON and NDJSON are parsed, sized
 * and reported by the gateway itself, event by event.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { buildComponentServer, type Readiness, type ServerGuards } from '../platform/component-server.ts'
import type { Logger } from '../platform/logger.ts'
import type { MetricsRegistry } from '../platform/metrics.ts'
import type { Admission, Gateway, GatewayReply } from './gateway.ts'
import type { GatewayMetrics } from './metrics.ts'
import { openApiDocument } from './openapi.ts'

export interface GatewayServerOptions {
  readonly gateway: Gateway
  readonly logger: Logger
  readonly registry: MetricsRegistry
  readonly metrics: GatewayMetrics
  readonly maxBodyBytes: number
  readonly requestTimeoutMs: number
  readonly readiness?: () => Promise<Readiness> | Readiness
  readonly clock: () => number
  readonly guards: ServerGuards
}

export function buildGatewayServer(options: GatewayServerOptions): FastifyInstance {
  const { gateway, metrics } = options
  const app = buildComponentServer({
    component: 'gateway',
    logger: options.logger,
    metrics: options.registry,
    status: () => ({ ...gateway.tracker.snapshot(), details: gateway.details() }),
    ...(options.readiness ? { readiness: options.readiness } : {}),
    control: { pause: (reason) => gateway.pause(reason), resume: (reason) => gateway.resume(reason) },
    bodyLimit: options.maxBodyBytes,
    requestTimeoutMs: options.requestTimeoutMs,
    ...options.guards,
  })
  app.addHook('onResponse', (request, reply, done) => {
    metrics.requests.inc({ route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) })
    done()
  })

  const document = openApiDocument()
  app.get('/openapi.json', { config: { access: 'public' } }, () => document)

  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
      (_req, body, next) => next(null, body),
    )
    scope.decorateRequest('admission', null)
    scope.decorateRequest('startedAt', 0)
    scope.addHook('onRequest', (request, reply, next) => {
      request.startedAt = options.clock()
      const admitted = gateway.admit(request.headers)
      if ('status' in admitted) {
        send(reply, admitted)
        return
      }
      request.admission = admitted
      reply.raw.once('close', gateway.track())
      next()
    })
    // public at the route level: the admission hook above checks the caller's API key
    scope.post(
      '/v1/sales',
      { bodyLimit: options.maxBodyBytes, config: { access: 'public' } },
      async (request, reply) => {
        const admission = request.admission
        if (!admission) throw new Error('request not admitted')
        const body = Buffer.isBuffer(request.body) ? request.body : undefined
        return send(
          reply,
          await gateway.ingestBody(admission, request.headers['content-type'], body, request.startedAt),
        )
      },
    )
    done()
  })
  return app
}

function send(reply: FastifyReply, answer: GatewayReply): FastifyReply {
  return reply
    .code(answer.status)
    .headers(answer.headers ?? {})
    .send(answer.body)
}

declare module 'fastify' {
  interface FastifyRequest {
    admission: Admission | null
    startedAt: number
  }
}
