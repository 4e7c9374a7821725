/**
 * The control API's read views and commands (docs/api/control.md). Reads need any signed-in
 * role; commands go through the commander, which checks the role, applies the safe limits and
 * writes the audit row; its outcome is answered through command-replies.ts.
 */
import type { FastifyInstance } from 'fastify'
import { controlTargets } from '../platform/control-targets.ts'
import type { AuditLog, AuditResult } from './audit.ts'
import { actorOf, callerOf, sendError } from './auth/auth.ts'
import { sendCommandReply } from './command-replies.ts'
import type { Commander, CommandOutcome } from './commands/commander.ts'
import type { Poller, Snapshot } from './poller.ts'
import type { Reading } from './readings.ts'
import type { StackReader, SupervisedReading } from './stack-restarts.ts'
import type { LiveStreams } from './stream.ts'

export interface ApiDeps {
  readonly poller: Poller
  readonly commander: Commander
  readonly audit: AuditLog
  readonly streams: LiveStreams
  readonly auditPageMax?: number
  /** Restarts by `sretl up` (absent: not run by it). */
  readonly stack?: StackReader
}

const help: Record<string, string> = Object.fromEntries(
  Object.entries(controlTargets).map(([name, t]) => [name, t.pauses]),
)

export function componentView(r: Reading, supervised?: SupervisedReading) {
  return {
    name: r.name,
    reachable: r.reachable,
    state: r.reachable ? (r.status?.state ?? 'UNKNOWN') : 'UNREACHABLE',
    since: r.status?.since ?? null,
    heartbeatAt: r.status?.heartbeatAt ?? null,
    lastSeenAt: r.lastSeenAt === null ? null : new Date(r.lastSeenAt).toISOString(),
    instance: r.status?.instance ?? null,
    lastError: r.status?.lastError ?? null,
    error: r.reachable ? null : (r.error ?? null),
    pauses: help[r.name] ?? null,
    details: r.reachable ? (r.status?.details ?? {}) : {},
    restarts: supervised?.restarts ?? null,
    supervision: supervised?.supervision ?? null,
    lastSupervisionEvent: supervised?.lastEvent ?? null,
  }
}

function hardCapOf(snapshot: Snapshot): number | null {
  const simulator = snapshot.components.find((c) => c.name === 'simulator')
  const cap = simulator?.status?.details.capPerSec
  return typeof cap === 'number' ? cap : null
}

export function overviewView(snapshot: Snapshot, commander: Commander, stack?: StackReader) {
  const supervised = stack?.()
  return {
    at: new Date(snapshot.at).toISOString(),
    health: snapshot.health,
    point: snapshot.point ?? null,
    components: snapshot.components.map((r) => componentView(r, supervised?.get(r.name))),
    limits: commander.limitsView(hardCapOf(snapshot)),
  }
}

const text = (value: unknown, max = 200): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined

export function installApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { poller, commander } = deps
  const viewer = { config: { access: 'viewer' } } as const
  app.get('/api/v1/overview', viewer, () => overviewView(poller.snapshot(), commander, deps.stack))
  app.get('/api/v1/series', viewer, () => ({ points: poller.points() }))
  app.get('/api/v1/stream', viewer, (request, reply) => deps.streams.handle(request, reply))
  app.get('/api/v1/limits', viewer, () => commander.limitsView(hardCapOf(poller.snapshot())))
  installCommandRoutes(app, deps)
  installAuditRoute(app, deps)
}

/** The commands: each answers with its outcome through command-replies.ts. */
function installCommandRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { poller, commander } = deps
  const intakeTargets = Object.entries(controlTargets)
    .filter(([, t]) => t.intake)
    .map(([name]) => name)
  // a command that changed something: the next read (the CLI's, a panel's) shows it at once
  const refreshAfter = async (outcome: CommandOutcome, names: readonly string[]): Promise<void> => {
    if (outcome.kind === 'ok') await poller.refresh(names)
  }
  const reasonOf = (body: unknown, fallback: string): string =>
    text((body as { reason?: unknown } | null)?.reason) ?? fallback

  for (const action of ['pause', 'resume'] as const) {
    const route = { config: { access: 'operator', command: { command: action, target: ':name' } } } as const
    app.post<{ Params: { name: string } }>(
      `/api/v1/components/:name/${action}`,
      route,
      async (request, reply) => {
        const outcome = await commander[action](
          actorOf(request),
          request.params.name,
          reasonOf(request.body, `${action} from the control panel`),
        )
        await refreshAfter(outcome, [request.params.name])
        return sendCommandReply(reply, outcome)
      },
    )
  }
  const intake = intakeTargets.join(',')
  const operator = (command: string, target: string) =>
    ({ config: { access: 'operator', command: { command, target } } }) as const
  app.post('/api/v1/rate', operator('rate.set', 'simulator'), async (request, reply) => {
    const body = (request.body ?? {}) as { ratePerSec?: unknown; confirm?: unknown }
    const outcome = await commander.setRate(actorOf(request), body.ratePerSec, body.confirm === true)
    await refreshAfter(outcome, ['simulator'])
    return sendCommandReply(reply, outcome)
  })
  app.post('/api/v1/intake/stop', operator('intake.stop', intake), async (request, reply) => {
    const outcome = await commander.stopIntake(actorOf(request), reasonOf(request.body, 'emergency stop'))
    await refreshAfter(outcome, intakeTargets)
    return sendCommandReply(reply, outcome)
  })
  app.post('/api/v1/intake/resume', operator('intake.resume', intake), async (request, reply) => {
    const outcome = await commander.resumeIntake(actorOf(request), reasonOf(request.body, 'intake resumed'))
    await refreshAfter(outcome, intakeTargets)
    return sendCommandReply(reply, outcome)
  })
  app.put(
    '/api/v1/limits',
    { config: { access: 'admin', command: { command: 'limits.set', target: 'simulator.rate' } } },
    async (request, reply) => {
      const body = (request.body ?? {}) as { rateCapPerSec?: unknown }
      const outcome = await commander.setRateCap(actorOf(request), body.rateCapPerSec ?? null)
      return sendCommandReply(reply, outcome)
    },
  )
}

function installAuditRoute(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/audit',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      callerOf(request)
      const q = request.query
      const max = deps.auditPageMax ?? 500
      const limit = q.limit === undefined ? 100 : Number(q.limit)
      const before = q.before === undefined ? undefined : Number(q.before)
      if (!Number.isInteger(limit) || limit < 1 || limit > max) {
        return sendError(reply, 'REQUEST_INVALID', `limit must be a whole number from 1 to ${max}`)
      }
      if (before !== undefined && (!Number.isInteger(before) || before < 1)) {
        return sendError(reply, 'REQUEST_INVALID', 'before must be an audit row id')
      }
      const result = q.result as AuditResult | undefined
      if (result !== undefined && !['ok', 'refused', 'failed'].includes(result)) {
        return sendError(reply, 'REQUEST_INVALID', 'result must be ok, refused or failed')
      }
      const rows = await deps.audit.list({
        limit,
        beforeId: before,
        action: text(q.action, 100),
        target: text(q.target, 200),
        actor: text(q.actor, 100),
        result,
      })
      return { rows, next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null }
    },
  )
}
