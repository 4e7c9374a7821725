/** `sretl run control`: wiring only (the logic lives in the modules it wires). */
import { readFileSync } from 'node:fs'
import { AdminTokenHolder, adminTokenPath } from '../platform/admin-token.ts'
import { StateTracker } from '../platform/component-server.ts'
import { runComponent, type ComponentContext, type StartedComponent } from '../platform/component-runner.ts'
import type { Env } from '../platform/config.ts'
import { controlTargetNames } from '../platform/control-targets.ts'
import { errorMessage, SretlError } from '../platform/errors.ts'
import { databasePasswordDefault } from '../platform/live-defaults.ts'
import { createProducer, sendWithTimeout } from '../platform/kafka.ts'
import { createPool, type Pool } from '../platform/postgres.ts'
import { topicNames } from '../platform/topics.ts'
import { overviewView } from './api-routes.ts'
import { createAuditLog, type AuditLog } from './audit.ts'
import { installBusinessRoutes } from './business/business-routes.ts'
import { createCommander, loadRateCap, type Commander } from './commands/commander.ts'
import { createComponentClient } from './component-client.ts'
import { DirectCommandAudit } from './commands/direct-commands.ts'
import { controlSection, type ControlConfig } from './config.ts'
import { DlqIndex } from './dead-letters/held-index.ts'
import { DlqReader } from './dead-letters/reader.ts'
import { createReplayer } from './dead-letters/replay.ts'
import { ensureUsersFile } from './auth/first-run.ts'
import { RateCap } from './commands/limits.ts'
import { LoginLimiter } from './auth/login-limiter.ts'
import { createControlMetrics, registerCertificateExpiry, registerControlGauges } from './metrics.ts'
import { Poller } from './poller.ts'
import { SettingsRestorer } from './commands/restore.ts'
import { buildControlServer, type ControlServerOptions } from './server.ts'
import { SessionStore } from './auth/sessions.ts'
import { createStackReader, registerStackMetrics, type StackReader } from './stack-restarts.ts'
import { LiveStreams } from './stream.ts'
import { parseUsers, UserDirectory } from './auth/users.ts'

export const main = (env: Env): Promise<number> =>
  runComponent(env, {
    name: 'control',
    section: controlSection,
    liveDefaults: (config) => ({
      host: config.component.settings.host,
      defaults: [databasePasswordDefault(config.postgres.url)],
    }),
    start,
  })

async function start(context: ComponentContext<ControlConfig>): Promise<StartedComponent> {
  const { config, logger } = context
  const { settings, urls } = config.component
  const clock = Date.now

  const { location, directory } = await loadUsers(context)
  const { reader, audit } = openDatabase(context)
  const metrics = createControlMetrics(context.metrics, controlTargetNames)
  const { rateCap, replayed } = await loadRemembered(context, audit)
  const client = createComponentClient({
    urls,
    timeoutMs: settings.commandTimeoutMs,
    adminToken: new AdminTokenHolder(adminTokenPath(config)),
  })
  const commander = createCommander({
    client,
    audit,
    rateCap,
    rateSettings: settings.rate,
    logger,
    metrics: metrics.commandMetrics,
    clock: () => new Date(),
  })
  const directAudit = new DirectCommandAudit({
    audit,
    issued: (id) => client.issued(id),
    logger,
    onFailure: () => metrics.commandMetrics.auditFailed(),
  })
  const poller = startPolling(context, { client, commander, audit, metrics, directAudit, clock })
  const deadLetters = startDeadLetters(context, { commander, replayed, metrics, clock })
  const sessions = new SessionStore(settings.session, clock)
  const stack = createStackReader(config.paths.run, clock)
  const streams = new LiveStreams({
    poller,
    maxStreams: settings.maxStreams,
    view: (snapshot) => overviewView(snapshot, commander, stack),
  })
  registerMetrics(context, { sessions, streams, stack, index: deadLetters.index })

  const server = buildControlServer(
    serverOptions(context, {
      directory,
      reader,
      audit,
      metrics,
      commander,
      poller,
      sessions,
      streams,
      stack,
      deadLetters,
    }),
  )
  logger.info({ usersFile: location.usersFile, users: directory.size }, 'control service ready')
  return { server, port: settings.port, host: settings.host }
}

/** Two pools: the audit one may only append to audit_log (migration 0008), the other reads. */
function openDatabase(context: ComponentContext<ControlConfig>): { reader: Pool; audit: AuditLog } {
  const { config, logger, lifecycle } = context
  const pool = (role: 'sretl_auditor' | 'sretl_reader') =>
    createPool(config.postgres, {
      applicationName: `sretl-control-${role}`,
      role,
      max: 3,
      statementTimeoutMs: 10_000,
      logger,
    })
  const writer = pool('sretl_auditor')
  const reader = pool('sretl_reader')
  lifecycle.add('postgres pools', async () => void (await Promise.all([writer.end(), reader.end()])))
  return { reader, audit: createAuditLog({ writer, reader }) }
}

/** The admin's rate cap and the dead letters replayed before, from the audit trail. */
async function loadRemembered(
  context: ComponentContext<ControlConfig>,
  audit: AuditLog,
): Promise<{ rateCap: RateCap; replayed: Set<string> }> {
  const rateCap = new RateCap(context.config.component.settings.rate.defaultCapPerSec)
  const replayed = new Set<string>()
  try {
    await loadRateCap(audit, rateCap)
    for (const key of await audit.replayedPositions(31)) replayed.add(key)
  } catch (err) {
    context.logger.warn(
      { err },
      'could not read the rate cap and past replays from audit_log; using the defaults',
    )
  }
  return { rateCap, replayed }
}

function registerMetrics(
  context: ComponentContext<ControlConfig>,
  parts: { sessions: SessionStore; streams: LiveStreams; stack: StackReader; index: DlqIndex },
): void {
  const { sessions, streams, stack, index } = parts
  registerCertificateExpiry(context.metrics, context.config.component.settings.tlsCertificates)
  registerStackMetrics(context.metrics, stack)
  registerControlGauges(context.metrics, {
    sessions: () => sessions.size,
    streams: () => streams.open,
    deadLettersHeld: () => index.held,
  })
}

/** What buildControlServer is given: the parts start made, and the settings they answer with. */
function serverOptions(
  context: ComponentContext<ControlConfig>,
  parts: {
    directory: UserDirectory
    reader: Pool
    audit: AuditLog
    metrics: ReturnType<typeof createControlMetrics>
    commander: Commander
    poller: Poller
    sessions: SessionStore
    streams: LiveStreams
    stack: StackReader
    deadLetters: ReturnType<typeof startDeadLetters>
  },
): ControlServerOptions {
  const { config, logger } = context
  const { settings } = config.component
  const { directory, reader, audit, metrics, commander, poller, sessions, streams, stack } = parts
  const { index, dlqReader, replayer } = parts.deadLetters
  const tracker = new StateTracker()
  tracker.set('RUNNING')
  return {
    logger,
    registry: context.metrics,
    tracker,
    guards: context.http,
    details: () => ({
      health: poller.snapshot().health.level,
      componentsUp: [...poller.readings().values()].filter((r) => r.reachable).map((r) => r.name),
      sessions: sessions.size,
      streams: streams.open,
      deadLetters: { total: index.total, held: index.held, reader: dlqReader.state },
    }),
    readiness: async () => {
      try {
        await reader.query('SELECT 1')
        return { ready: true, reasons: [] }
      } catch (err) {
        return { ready: false, reasons: [`PostgreSQL: ${errorMessage(err)}`] }
      }
    },
    auth: {
      directory,
      sessions,
      limiter: new LoginLimiter({ perMinute: settings.loginAttemptsPerMinute, clock: Date.now }),
      audit,
      metrics,
      logger,
      secureCookie: settings.session.secureCookie,
      refuseRole: (actor, command, needed) => commander.refuseRole(actor, command, needed),
    },
    api: { poller, commander, audit, streams, stack },
    dlq: {
      index,
      reader: dlqReader,
      replayer,
      topic: topicNames(config.kafka).salesDlq,
      settings: {
        maxPerRequest: settings.dlq.replayMaxPerRequest,
        ratePerSec: settings.dlq.replayRatePerSec,
        maxReplays: settings.dlq.maxReplays,
      },
    },
    extra: (app) => installBusinessRoutes(app, { reader }),
  }
}

/** The users file (made with a first admin on the first start), read into a directory. */
async function loadUsers(
  context: ComponentContext<ControlConfig>,
): Promise<{ location: Awaited<ReturnType<typeof ensureUsersFile>>; directory: UserDirectory }> {
  const { config, logger } = context
  const location = await ensureUsersFile(config.paths.home, config.component.settings.usersFile)
  let directory: UserDirectory
  try {
    directory = new UserDirectory(parseUsers(readFileSync(location.usersFile, 'utf8')))
  } catch (err) {
    throw new SretlError(
      'CONFIG_INVALID',
      `invalid configuration: CONTROL_USERS_FILE ${location.usersFile}: ${errorMessage(err)}`,
    )
  }
  if (location.created) {
    logger.warn(
      { credentialsFile: location.credentialsFile },
      'first start: created the admin user; its password and token are in the credentials file',
    )
  }
  if (directory.size === 0) logger.warn({ usersFile: location.usersFile }, 'no users: nobody can sign in')
  return { location, directory }
}

/** The dead-letter side: a bounded index fed by a reader of the DLQ topic, and the replayer. */
function startDeadLetters(
  context: ComponentContext<ControlConfig>,
  deps: {
    commander: Commander
    replayed: Set<string>
    metrics: ReturnType<typeof createControlMetrics>
    clock: () => number
  },
) {
  const { config, logger, lifecycle } = context
  const { settings } = config.component
  const { commander, replayed, metrics, clock } = deps
  const topics = topicNames(config.kafka)
  const index = new DlqIndex({
    maxRecords: settings.dlq.indexMaxRecords,
    maxBytes: settings.dlq.indexMaxBytes,
  })
  const dlqReader = new DlqReader({ kafka: config.kafka, topic: topics.salesDlq, index, logger })
  dlqReader.start()
  lifecycle.add('dead-letter reader', () => dlqReader.stop())
  const producer = createProducer(config.kafka, 'control')
  lifecycle.add('kafka producer', () => producer.close(true))
  const replayer = createReplayer({
    index,
    send: async (messages) => {
      await sendWithTimeout(producer, messages, config.kafka.sendTimeoutMs)
      metrics.replayed.inc(messages.length)
    },
    topic: topics.salesEvents,
    dlqTopic: topics.salesDlq,
    settings: {
      ratePerSec: settings.dlq.replayRatePerSec,
      maxPerRequest: settings.dlq.replayMaxPerRequest,
      maxReplays: settings.dlq.maxReplays,
    },
    commander,
    clock,
    replayed,
  })

  return { index, dlqReader, replayer }
}

/** Reads every component's status on a timer, restores operators' settings after a restart. */
function startPolling(
  context: ComponentContext<ControlConfig>,
  deps: {
    client: ReturnType<typeof createComponentClient>
    commander: Commander
    audit: AuditLog
    metrics: ReturnType<typeof createControlMetrics>
    directAudit: DirectCommandAudit
    clock: () => number
  },
): Poller {
  const { config, logger, lifecycle } = context
  const { settings } = config.component
  const { client, commander, audit, metrics, directAudit, clock } = deps
  // operators' rate and pauses survive restarts of the components (ADR 0070)
  const restorer = new SettingsRestorer({
    audit,
    commander,
    logger,
    onRestored: (component) => void poller.refresh([component]),
  })
  const poller = new Poller({
    client,
    components: controlTargetNames,
    intervalMs: settings.pollIntervalMs,
    historyPoints: settings.historyPoints,
    health: { lagWarnSeconds: settings.lag.warnSeconds, lagCriticalSeconds: settings.lag.criticalSeconds },
    clock,
    onReading: (r) => {
      metrics.componentUp.set({ target: r.name }, r.reachable ? 1 : 0)
      restorer.observe(r)
      void directAudit.observe(r.name, r.status)
    },
  })
  poller.start()
  lifecycle.add('poller', async () => {
    await poller.stop()
    await restorer.settled()
  })

  return poller
}
