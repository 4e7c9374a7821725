/**
 * Every component's real HTTP server built in-process (Fastify's inject, no sockets), with
 * stand-ins for the logic behind the routes: the attacker suite probes the route definitions and
 * their access checks, which are the real ones. Pause/resume/rate/maintenance stand-ins record
 * what reached them, so a test can tell "refused" from "applied".
 */
import type { FastifyInstance } from 'fastify'
import { installBusinessRoutes } from '../../src/control/business/business-routes.ts'
import { buildControlServer } from '../../src/control/server.ts'
import type { Pool } from '../../src/platform/postgres.ts'
import { createControlMetrics } from '../../src/control/metrics.ts'
import { LoginLimiter } from '../../src/control/auth/login-limiter.ts'
import { SessionStore } from '../../src/control/auth/sessions.ts'
import { LiveStreams } from '../../src/control/stream.ts'
import { hashToken, parseUsers, UserDirectory } from '../../src/control/auth/users.ts'
import type { AuditEntry, AuditLog } from '../../src/control/audit.ts'
import type { CommandOutcome } from '../../src/control/commands/commander.ts'
import { buildGatewayServer } from '../../src/gateway/server.ts'
import { createGatewayMetrics } from '../../src/gateway/metrics.ts'
import type { Gateway } from '../../src/gateway/gateway.ts'
import { buildLanderServer } from '../../src/lander/server.ts'
import type { Lander } from '../../src/lander/lander.ts'
import type { MaintenanceSchedule } from '../../src/lander/maintenance.ts'
import { buildSimulatorServer } from '../../src/simulator/server.ts'
import type { Simulator } from '../../src/simulator/simulator.ts'
import { StateTracker } from '../../src/platform/component-server.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry } from '../../src/platform/metrics.ts'

export const ADMIN_TOKEN = 'sretl_admin_test-token-for-in-process-servers'
export const VIEWER_TOKEN = 'sretl_viewer-test-token'
export const OPERATOR_TOKEN = 'sretl_operator-test-token'

export interface BuiltServer {
  readonly name: 'control' | 'gateway' | 'simulator' | 'lander'
  readonly app: FastifyInstance
  /** Commands that reached the logic behind the routes. */
  readonly applied: string[]
  readonly audit: AuditEntry[]
}

const guards = () => ({ adminToken: { verify: (t: string | undefined) => t === ADMIN_TOKEN } })

function tracked() {
  const tracker = new StateTracker()
  tracker.set('RUNNING')
  const applied: string[] = []
  const flow = {
    pause: (reason: string) => {
      applied.push(`pause:${reason}`)
      tracker.set('PAUSED')
    },
    resume: (reason: string) => {
      applied.push(`resume:${reason}`)
      tracker.set('RUNNING')
    },
  }
  return { tracker, applied, flow }
}

function simulator(): BuiltServer {
  const { tracker, applied, flow } = tracked()
  const stand = {
    tracker,
    details: () => ({ baseRatePerSec: 100 }),
    ...flow,
    setRate: (rate: number) => {
      applied.push(`rate:${rate}`)
      return { ok: true }
    },
  } as unknown as Simulator
  const app = buildSimulatorServer({
    simulator: stand,
    logger: silentLogger(),
    metrics: createMetricsRegistry({ component: 'simulator', processMetrics: false }),
    guards: guards(),
  })
  return { name: 'simulator', app, applied, audit: [] }
}

function lander(): BuiltServer {
  const { tracker, applied, flow } = tracked()
  const stand = {
    status: () => ({ ...tracker.snapshot(), details: {} }),
    ready: true,
    ...flow,
  } as unknown as Lander
  const maintenance = {
    status: () => ({ lastRunAt: null }),
    runNow: () => {
      applied.push('maintenance')
      return Promise.resolve()
    },
  } as unknown as MaintenanceSchedule
  const app = buildLanderServer({
    lander: stand,
    maintenance,
    logger: silentLogger(),
    metrics: createMetricsRegistry({ component: 'lander', processMetrics: false }),
    guards: guards(),
  })
  return { name: 'lander', app, applied, audit: [] }
}

function gateway(): BuiltServer {
  const { tracker, applied, flow } = tracked()
  const registry = createMetricsRegistry({ component: 'gateway', processMetrics: false })
  const stand = {
    tracker,
    details: () => ({ paused: false }),
    ...flow,
    // every ingest is refused as the real gateway refuses a request without an API key
    admit: () => ({ status: 401, body: { code: 'API_KEY_MISSING', message: 'no key' } }),
  } as unknown as Gateway
  const app = buildGatewayServer({
    gateway: stand,
    logger: silentLogger(),
    registry,
    metrics: createGatewayMetrics(registry),
    maxBodyBytes: 1024 * 1024,
    requestTimeoutMs: 10_000,
    clock: Date.now,
    guards: guards(),
  })
  return { name: 'gateway', app, applied, audit: [] }
}

function control(): BuiltServer {
  const registry = createMetricsRegistry({ component: 'control', processMetrics: false })
  const tracker = new StateTracker()
  tracker.set('RUNNING')
  const audit: AuditEntry[] = []
  const auditLog = {
    write: (entry: AuditEntry) => Promise.resolve(audit.push(entry)),
  } as unknown as AuditLog
  const directory = new UserDirectory(
    parseUsers(`vera:viewer:${hashToken(VIEWER_TOKEN)}\notto:operator:${hashToken(OPERATOR_TOKEN)}\n`),
  )
  const applied: string[] = []
  const commanderStandIn = {
    forbidden: (actor: { user: string }, rec: { command: string; target: string }) => {
      audit.push({
        actor: actor.user,
        role: 'viewer',
        action: rec.command,
        target: rec.target,
        result: 'refused',
      })
      return Promise.resolve<CommandOutcome>({
        kind: 'refused',
        code: 'ROLE_FORBIDDEN',
        message: 'no',
        auditId: null,
      })
    },
    pause: (_a: unknown, name: string) => {
      applied.push(`pause:${name}`)
      return Promise.resolve<CommandOutcome>({ kind: 'ok', body: {}, auditId: null })
    },
  }
  const app = buildControlServer({
    logger: silentLogger(),
    registry,
    tracker,
    details: () => ({ health: 'ok' }),
    guards: guards(),
    auth: {
      directory,
      sessions: new SessionStore({ idleMs: 60_000, maxAgeMs: 3_600_000, max: 10 }, Date.now),
      limiter: new LoginLimiter({ perMinute: 10_000, clock: Date.now }),
      audit: auditLog,
      metrics: createControlMetrics(registry, ['simulator', 'gateway', 'lander']),
      logger: silentLogger(),
      secureCookie: 'never',
      refuseRole: (actor, command) => commanderStandIn.forbidden(actor, command),
    },
    api: {
      poller: { refresh: () => Promise.resolve() },
      commander: commanderStandIn,
      audit: auditLog,
      streams: new LiveStreams({
        poller: { subscribe: () => () => undefined, points: () => [], snapshot: () => ({}) } as never,
        maxStreams: 2,
        view: () => ({}),
      }),
    } as never,
    dlq: { index: {}, reader: {}, replayer: {}, topic: 'dlq', settings: {} } as never,
    extra: (server) => installBusinessRoutes(server, { reader: {} as Pool }),
  })
  return { name: 'control', app, applied, audit }
}

/** The four servers, freshly built. */
export function buildAllServers(): BuiltServer[] {
  return [control(), gateway(), simulator(), lander()]
}
