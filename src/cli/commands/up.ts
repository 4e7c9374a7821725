import { join } from 'node:path'
import { DEV_KEY } from '../../gateway/api-keys.ts'
import { adminTokenPath, ensureAdminToken, ensurePrivateDir } from '../../platform/admin-token.ts'
import { databasePasswordDefault } from '../../platform/live-defaults.ts'
import { pino } from 'pino'
import { loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { createLifecycle } from '../../platform/lifecycle.ts'
import { createLogger } from '../../platform/logger.ts'
import { stackConfigSection } from '../../platform/monitoring-config.ts'
import { stackComponents, type ComponentLaunch } from '../../stack/components.ts'
import { isPidAlive } from '../../stack/managed-process.ts'
import { startStack } from '../../stack/stack.ts'
import { readStackState, removeStackState, writeStackState, type ServiceState } from '../../stack/state.ts'
import { controlOwnSection } from '../../control/config.ts'
import { ensureUsersFile, FIRST_RUN_USER, type UsersFileLocation } from '../../control/auth/first-run.ts'
import { defineCommand } from '../command.ts'
import { prepareSecureMode } from '../secure-mode.ts'
import { formatDuration } from '../ui.ts'

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
    const brokers = typeof values.brokers === 'string' ? values.brokers.trim() : undefined
    if (brokers !== undefined && brokers !== '1' && brokers !== '3') {
      throw new SretlError('USAGE', `--brokers must be 1 or 3, got "${brokers}"`)
    }
    // the components inherit it too, so their default bootstrap names every node
    const env = brokers === undefined ? given : { ...given, KAFKA_LOCAL_BROKERS: brokers }
    const config = loadConfig(env, stackConfigSection)
    if (values.secure === true && config.kafka.local.brokers !== 1) {
      throw new SretlError(
        'USAGE',
        'secure mode runs a single Kafka broker: `sretl up --secure` cannot be combined with --brokers 3 (KAFKA_LOCAL_BROKERS=3)',
      )
    }
    const previous = readStackState(config.paths.run)
    if (previous && previous.upPid !== process.pid && isPidAlive(previous.upPid)) {
      throw new SretlError(
        'STACK_ALREADY_RUNNING',
        `the local stack is already running (sretl up, pid ${previous.upPid}); see \`sretl status\` or stop it with \`sretl down\``,
      )
    }
    // data, logs, secrets: the owner's only
    ensurePrivateDir(config.paths.home)
    ensurePrivateDir(config.paths.logs)
    const admin = ensureAdminToken(adminTokenPath(config))
    const logger = createLogger({
      level: config.log.level,
      destination: pino.destination({ dest: join(config.paths.logs, 'up.log'), mkdir: true, sync: false }),
    }).child({ component: 'up' })
    const lifecycle = createLifecycle({ logger })
    const removeSignals = lifecycle.handleSignals()
    process.on('SIGHUP', () => void lifecycle.stop('SIGHUP'))

    const secure = values.secure === true ? await prepareSecureMode(env, config) : undefined
    // dropped after the stack has stopped (the lifecycle stops in reverse order)
    if (secure) lifecycle.add('secure-postgres', () => secure.stopDatabase())
    const stackEnv = secure?.env ?? env
    // secure mode moved PostgreSQL (private TLS cluster): `up` itself connects as the secure env says
    const stackConfig = secure ? loadConfig(stackEnv, stackConfigSection) : config
    ui.line(`Starting the local stack${secure ? ' in secure mode' : ''} (Ctrl-C stops it)…`)
    const components = values['no-components'] === true ? [] : stackComponents(stackEnv)
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
      monitoring: values['no-monitoring'] === true ? undefined : config.monitoring,
      logger,
      onProgress: ui.progress,
      supervision: config.supervision,
      onSupervision: (event, services) => {
        if (event.kind === 'restarted') ui.line(event.message)
        else
          ui.warn(
            event.kind === 'exited'
              ? `${event.message}; restarting it — see ${join(config.paths.logs, `${event.name}.log`)}`
              : event.message,
          )
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
    ui.line()
    ui.table(
      stack.services.map((s) => [
        s.name,
        s.address,
        s.pid ? String(s.pid) : '-',
        s.owned ? 'started' : 'reused',
      ]),
      ['service', 'address', 'pid', ''],
    )
    ui.line()
    const control = stack.services.find((s) => s.name === 'control')
    if (control && panel) {
      ui.line(`Control panel: ${control.address}/ — ${signInHint(panel)}`)
    }
    if (stack.services.some((s) => s.name === 'simulator')) {
      ui.line(
        'Watch the stream: `npx sretl tail` · change the rate: `npx sretl rate 500` · pause: `npx sretl pause simulator`',
      )
    }
    const prometheusUrl = stack.monitoring?.prometheusUrl
    if (prometheusUrl) {
      ui.line(
        `Prometheus: ${prometheusUrl} (targets: ${prometheusUrl}/targets, alerts: ${prometheusUrl}/alerts)`,
      )
    }
    if (stack.monitoring?.alertmanagerUrl) ui.line(`Alertmanager: ${stack.monitoring.alertmanagerUrl}`)
    for (const missing of stack.monitoring?.missing ?? []) ui.line(`Not running: ${missing.message}`)
    if (secure) {
      ui.line(
        `Secure mode: Kafka over SASL_SSL (CA ${secure.stack.kafka.ca.certFile}); for sretl commands: \`set -a; . ${secure.toolsEnvFile}; set +a\``,
      )
      if (secure.gatewayKeyFile) ui.line(`Gateway API key: in ${secure.gatewayKeyFile}`)
    }
    ui.line(`Logs: ${config.paths.logs}`)
    ui.line(
      `Ready${secure ? ' (secure mode)' : ''} in ${formatDuration(readyAt.getTime() - startedAt)}. \`sretl status\` shows what runs; Ctrl-C or \`sretl down\` stops it.`,
    )
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

function signInHint(panel: UsersFileLocation): string {
  if (panel.credentialsFile) {
    return `sign in as ${FIRST_RUN_USER} with the password in ${panel.credentialsFile}${panel.created ? ' (created now; first run)' : ''}`
  }
  return `sign in with a user of ${panel.usersFile} (\`sretl control-user\` makes one)`
}

/** The well-known values the stack's components will use, for the start-up warning. */
function liveDefaultsOfStack(
  env: Readonly<Record<string, string | undefined>>,
  databaseUrl: string,
  components: readonly ComponentLaunch[],
): string[] {
  const set = (name: string): boolean =>
    [env[name], env[`${name}_FILE`]].some((v) => v !== undefined && v.trim() !== '')
  const runs = (name: string) => components.find((c) => c.name === name)
  const out: string[] = []
  if (runs('gateway')?.env?.GATEWAY_ALLOW_DEV_KEY === 'true' || env.GATEWAY_ALLOW_DEV_KEY === 'true') {
    out.push(`GATEWAY_API_KEYS (the development key "${DEV_KEY}")`)
  }
  if (runs('simulator') && !set('SIMULATOR_LOYALTY_KEY'))
    out.push('SIMULATOR_LOYALTY_KEY (the development HMAC key)')
  const password = databasePasswordDefault(databaseUrl)
  if (password && (runs('lander') || runs('control'))) out.push(`${password.variable} (${password.what})`)
  return out
}
