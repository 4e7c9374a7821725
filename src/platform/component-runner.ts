/**
 * What every component's `main` shares: parse the configuration once (base + the component's own
 * section), create the logger, metrics registry and lifecycle, start the component, serve its HTTP
 * surface, and stop everything in reverse order on SIGTERM/SIGINT. A component's `main.ts` is then
 * only its wiring:
 *
 *   export const main = (env: Env) => runComponent(env, { name: 'lander', section: landerSection, start })
 */
import type { FastifyInstance } from 'fastify'
import { AdminTokenVerifier, adminTokenPath } from './admin-token.ts'
import { baseSections, type BaseConfig } from './base-config.ts'
import { combineSections, loadConfig, type AnySection, type Env } from './config.ts'
import { isSretlError } from './errors.ts'
import { createLifecycle, type Lifecycle } from './lifecycle.ts'
import { enforceNoLiveDefaults, type LiveDefault } from './live-defaults.ts'
import { createLogger, type Logger } from './logger.ts'
import { createMetricsRegistry, type MetricsRegistry } from './metrics.ts'

export interface ComponentContext<C> {
  readonly config: BaseConfig & { readonly component: C }
  readonly logger: Logger
  readonly metrics: MetricsRegistry
  readonly lifecycle: Lifecycle
  /** What the component server needs to guard its routes (admin token, trusted proxies). */
  readonly http: { readonly adminToken: AdminTokenVerifier; readonly trustProxy: readonly string[] }
}

export interface StartedComponent {
  /** The component's HTTP server (see component-server.ts); runComponent makes it listen. */
  readonly server: FastifyInstance
  readonly port: number
  readonly host?: string
}

export interface ComponentSpec<S extends AnySection> {
  readonly name: string
  readonly section: S
  /** Where it will listen and which well-known values it would use (live-defaults.ts). */
  liveDefaults?(config: BaseConfig & { readonly component: ReturnType<S['build']> }): {
    readonly host: string | undefined
    readonly defaults: readonly (LiveDefault | undefined)[]
  }
  /** Builds and starts the component; registers its own stops on the lifecycle. */
  start(context: ComponentContext<ReturnType<S['build']>>): Promise<StartedComponent>
}

export async function runComponent<S extends AnySection>(env: Env, spec: ComponentSpec<S>): Promise<number> {
  const config = loadConfig(env, combineSections({ ...baseSections, component: spec.section }))
  const logger = createLogger({ level: config.log.level }).child({ component: spec.name })
  const metrics = createMetricsRegistry({ component: spec.name })
  const lifecycle = createLifecycle({ logger })
  const removeSignals = lifecycle.handleSignals()
  try {
    const guard = spec.liveDefaults?.(config)
    if (guard) {
      enforceNoLiveDefaults({
        security: config.security,
        bindHost: guard.host,
        defaults: guard.defaults,
        logger,
      })
    }
    const started = await spec.start({
      config,
      logger,
      metrics,
      lifecycle,
      http: {
        adminToken: new AdminTokenVerifier(adminTokenPath(config)),
        trustProxy: config.security.trustedProxies,
      },
    })
    await started.server.listen({ port: started.port, host: started.host ?? '127.0.0.1' })
    lifecycle.add('http server', () => started.server.close())
    logger.info({ port: started.port }, 'started')
    if (lifecycle.stopping) await lifecycle.stop('signal during start-up')
    await lifecycle.stopped
    await lifecycle.stop('stopped')
    return 0
  } catch (err) {
    logger.error({ err, code: isSretlError(err) ? err.code : 'INTERNAL' }, 'component failed')
    await lifecycle.stop('failure')
    throw err
  } finally {
    removeSignals()
    logger.flush()
  }
}
