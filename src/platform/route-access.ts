/**
 * Deny by default, decided on the route's own definition: every route declares who may call it
 * (`{ config: { access: 'public' | 'viewer' | 'operator' | 'admin' | 'component-admin' } }`),
 * a route without a declared level — or with a level this server has no check for — fails at
 * registration, and the check runs on the route the router matched, never on the URL string.
 * However a path is spelled (percent-encoded, doubled slashes, dot segments, case, trailing
 * slash), it is either the route with its check or a 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { httpStatus } from './errors.ts'

export const ACCESS_LEVELS = ['public', 'viewer', 'operator', 'admin', 'component-admin'] as const
export type Access = (typeof ACCESS_LEVELS)[number]

/** Answers the request (refusal) and returns the reply, or returns undefined to let it through. */
export type AccessCheck = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<FastifyReply | undefined> | FastifyReply | undefined

/** How the router matches paths: strict on purpose, so one route has one spelling. */
export const STRICT_ROUTING = {
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  useSemicolonDelimiter: false,
} as const

export interface RegisteredRoute {
  readonly method: string
  readonly url: string
  readonly access: Access
}

export interface RouteAccess {
  /** Adds the check of a level; routes of that level can be registered from then on. */
  define(level: Exclude<Access, 'public'>, check: AccessCheck): void
  /** Every route registered, with its level (the attacker suite probes each one). */
  routes(): readonly RegisteredRoute[]
}

export function isAccess(value: unknown): value is Access {
  return typeof value === 'string' && (ACCESS_LEVELS as readonly string[]).includes(value)
}

/** Installs the registration guard and the request check; call before any route is added. */
export function installRouteAccess(app: FastifyInstance): RouteAccess {
  const checks = new Map<Access, AccessCheck>()
  const registered: RegisteredRoute[] = []
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: unknown } | undefined)?.access
    if (!isAccess(access)) {
      throw new Error(
        `route ${route.method.toString()} ${route.url} declares no access level; add { config: { access: ${ACCESS_LEVELS.map((l) => `'${l}'`).join(' | ')} } }`,
      )
    }
    if (access !== 'public' && !checks.has(access)) {
      throw new Error(
        `route ${route.method.toString()} ${route.url} needs '${access}', which this server does not check`,
      )
    }
    for (const method of [route.method].flat()) registered.push({ method, url: route.url, access })
  })
  app.addHook('onRequest', async (request, reply) => {
    // no route matched: the not-found handler answers 404
    if (request.is404) return undefined
    const access = request.routeOptions.config.access
    if (access === 'public') return undefined
    const check = isAccess(access) ? checks.get(access) : undefined
    if (!check) {
      return reply
        .code(httpStatus('ACCESS_DENIED'))
        .send({ code: 'ACCESS_DENIED', message: 'this route grants access to nobody' })
    }
    return check(request, reply)
  })
  const registry: RouteAccess = {
    define(level, check) {
      checks.set(level, check)
    },
    routes: () => [...registered],
  }
  app.decorate('routeAccess', registry)
  return registry
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly routeAccess: RouteAccess
  }
  interface FastifyContextConfig {
    /** Who may call the route (route-access.ts); required on every route. */
    access?: Access
  }
}
