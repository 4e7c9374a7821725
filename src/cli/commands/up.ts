import { join } from 'node:path'
import { adminTokenPath, ensureAdminToken, ensurePrivateDir } from '../../platform/admin-token.ts'
import { pino } from 'pino'
import { loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { createLifecycle } from '../../platform/lifecycle.ts'
import { createLogger, type Logger } from '../../platform/logger.ts'
import { stackConfigSection } from '../../platform/monitoring-config.ts'
import { stackComponents } from '../../stack/components.ts'
import { isPidAlive } from '../../stack/managed-process.ts'
import { startStack } from '../../stack/stack.ts'
import { readStackState, removeStackState, writeStackState, type ServiceState } from '../../stack/state.ts'
import { controlOwnSection } from '../../control/config.ts'
import { ensureUsersFile } from '../../control/auth/first-run.ts'
import { defineCommand } from '../command.ts'
import { prepareSecureMode } from '../secure-mode.ts'
import { assertSecureBrokers, parseUpOptions } from './up-options.ts'
import { liveDefaultsOfStack, showReady, showSupervisionEvent } from './up-report.ts'

export const upCommand = defineCommand({
  name: 'up',
  summary:
    'Start the local stack (PostgreSQL, Kafka, schema, topics, Prometheus, components); Ctrl-C stops it.',
  description:
    'Reuses a PostgreSQL at DATABASE_URL or starts the local server; reuses a Kafka that answers at ' +
    'KAFKA_BOOTSTRAP_SERVERS or starts one from Maven Central jars (downloaded once). Applies migrations, ' +
    'creates topics, starts the PostgreSQL exporter, Alertmanager and Prometheus when they are installed ' +
    '(Debian packages prometheus-postgres-exporter, prometheus-alertmanager, prometheus), starts the ' +
    'pipeline components and prints what runs where. A process it started that exits is started again ' +
    'with exponential backoff (STACK_RESTART_BACKOFF_MS); after more than STACK_CRASH_LOOP_RESTARTS exits ' +
    'within STACK_CRASH_LOOP_WINDOW_MS it gives up on that one, says why, and keeps the rest running; ' +
    '`sretl status` shows the restarts. Everything it started is stopped on Ctrl-C, on SIGTERM and by ' +
    '`sretl down`, never because a process died.',
  options: {
    'no-components': {
      type: 'boolean',
      description:
        'Start only the infrastructure (PostgreSQL, Kafka, monitoring), without pipeline components.',
    },
    'no-monitoring': {
      type: 'boolean',
      description: 'Do not start Prometheus, Alertmanager and the PostgreSQL exporter.',
    },
    brokers: {
      type: 'string',
      valueName: '1|3',
      description:
        'Nodes of the local Kafka (KRaft) cluster: 3 gives replication factor 3, min.insync.replicas=2 and no unclean leader election, node i on KAFKA_PORT + 100·i (sets KAFKA_LOCAL_BROKERS; not with --secure).',
    },
    secure: {
      type: 'boolean',
      description:
        'Secure mode: a local CA ($SRETL_HOME/tls), Kafka over SASL_SSL with a SCRAM-SHA-512 user and ACLs per component, generated passwords and gateway key in $SRETL_HOME/secrets (docs/security.md).',
    },
  },
  examples: [
    'sretl up',
    'sretl up --secure',
    'sretl up --brokers 3',
    'KAFKA_PORT=19092 sretl up --no-components',
    'PROMETHEUS_PORT=19090 sretl up',
  ],
  async run({ env: given, ui, values }) {
    const startedAt = Date.now()
    const options = parseUpOptions(given, values)
    const { env } = options
    const config = loadConfig(env, stackConfigSection)
    assertSecureBrokers(options, config.kafka.local.brokers)
    assertNoStackRunning(config.paths.run)
    // data, logs, secrets: the owner's only
    ensurePrivateDir(config.paths.home)
    ensurePrivateDir(config.paths.logs)
    const admin = ensureAdminToken(adminTokenPath(config))
    const logger = upLogger(config.log.level, config.paths.logs)
    const lifecycle = createLifecycle({ logger })
    const removeSignals = lifecycle.handleSignals()
    process.on('SIGHUP', () => void lifecycle.stop('SIGHUP'))

    const secure = options.secure ? await prepareSecureMode(env, config) : undefined
    // dropped after the stack has stopped (the lifecycle stops in reverse order)
    if (secure) lifecycle.add('secure-postgres', () => secure.stopDatabase())
    const stackEnv = secure?.env ?? env
    // secure mode moved PostgreSQL (private TLS cluster): `up` itself connects as the secure env says
    const stackConfig = secure ? loadConfig(stackEnv, stackConfigSection) : config
    ui.line(`Starting the local stack${secure ? ' in secure mode' : ''} (Ctrl-C stops it)…`)
    const components = options.components ? stackComponents(stackEnv) : []
    const live = liveDefaultsOfStack(stackEnv, stackConfig.postgres.url, components)
    if (live.length > 0) {
      // stdout, not stderr: a start-up error stays the one line on stderr
      ui.line(`Development defaults are live (fine on a laptop, never elsewhere): ${live.join(', ')}`)
    }
    if (admin.created) logger.info({}, 'made the component-admin token')
    // the panel's first admin is made here, before the control service starts, so it can be named below
    const panel = components.some((c) => c.name === 'control')
      ? await ensureUsersFile(config.paths.home, loadConfig(env, controlOwnSection).usersFile)
      : undefined
    // the state file follows every restart once the stack is ready (`sretl status`, the panel)
    let writeState: ((services: readonly ServiceState[]) => void) | undefined
    const stack = await startStack({
      config: stackConfig,
      env: { ...stackEnv },
      secure: secure?.stack,
      components,
      monitoring: options.monitoring ? config.monitoring : undefined,
      logger,
      onProgress: ui.progress,
      supervision: config.supervision,
      onSupervision: (event, services) => {
        showSupervisionEvent(ui, event, config.paths.logs)
        writeState?.(services)
      },
    }).catch(async (err: unknown) => {
      await lifecycle.stop('start-up failed')
      throw err
    })
    lifecycle.add('stack', async () => {
      ui.line('Stopping the local stack…')
      await stack.stop()
      removeStackState(config.paths.run)
    })
    const readyAt = new Date()
    writeState = (services) =>
      writeStackState(config.paths.run, {
        upPid: process.pid,
        startedAt: new Date(startedAt).toISOString(),
        readyAt: readyAt.toISOString(),
        home: config.paths.home,
        services,
        ...(secure ? { secure: { toolsEnvFile: secure.toolsEnvFile } } : {}),
      })
    writeState(stack.services)
    showReady(ui, {
      services: stack.services,
      monitoring: stack.monitoring,
      panel,
      secure: secure && {
        caFile: secure.stack.kafka.ca.certFile,
        toolsEnvFile: secure.toolsEnvFile,
        gatewayKeyFile: secure.gatewayKeyFile,
      },
      logsDir: config.paths.logs,
      readyMs: readyAt.getTime() - startedAt,
    })
    logger.info({ readyMs: readyAt.getTime() - startedAt, secure: secure !== undefined }, 'stack ready')

    if (lifecycle.stopping) {
      await lifecycle.stop('signal during start-up')
      return 130
    }
    // child processes are unref'd; this keeps `up` alive until it is told to stop
    const keepAlive = setInterval(() => undefined, 60_000)
    const reason = await lifecycle.stopped
    writeState = undefined
    await lifecycle.stop(reason)
    clearInterval(keepAlive)
    removeSignals()
    ui.line('Stopped.')
    return 0
  },
})

function assertNoStackRunning(runDir: string): void {
  const previous = readStackState(runDir)
  if (previous && previous.upPid !== process.pid && isPidAlive(previous.upPid)) {
    throw new SretlError(
      'STACK_ALREADY_RUNNING',
      `the local stack is already running (sretl up, pid ${previous.upPid}); see \`sretl status\` or stop it with \`sretl down\``,
    )
  }
}

/** `up`'s own log goes to a file: the terminal shows progress and the ready report. */
function upLogger(level: string, logsDir: string): Logger {
  return createLogger({
    level,
    destination: pino.destination({ dest: join(logsDir, 'up.log'), mkdir: true, sync: false }),
  }).child({ component: 'up' })
}
