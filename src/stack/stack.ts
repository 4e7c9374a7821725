/**
 * The local stack in one call: PostgreSQL (reused or started), schema, Kafka (reused or started),
 * topics, then the pipeline's components as child processes. Stops everything it started, in
 * reverse order, whatever happens.
 */
import { join } from 'node:path'
import type { BaseConfig } from '../platform/base-config.ts'
import { errorMessage, SretlError } from '../platform/errors.ts'
import { createAdmin, ensureTopics, kafkaAnswers, type TopicOutcome } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'
import { redactUrl } from '../platform/logger.ts'
import type { MonitoringConfig } from '../platform/monitoring-config.ts'
import { prepareDatabase } from '../platform/schema.ts'
import { topicSpecs } from '../platform/topics.ts'
import type { ComponentLaunch } from './components.ts'
import { startKafkaBroker, type KafkaBroker } from './kafka-broker.ts'
import { startProcess, type ManagedProcess, type ProcessExit } from './managed-process.ts'
import { startMonitoring, type MonitoringOutcome } from './monitoring.ts'
import { ensurePostgres, type PostgresHandle } from './postgres-server.ts'
import { componentDatabaseEnv, type ComponentDatabaseEnv } from './database-logins.ts'
import type { OnProgress } from './progress.ts'
import type { SecureStack } from './secure-stack.ts'
import type { ServiceState } from './state.ts'

export interface StackOptions {
  readonly config: BaseConfig
  /** Environment handed to component processes (they parse it themselves). */
  readonly env: NodeJS.ProcessEnv
  readonly components: readonly ComponentLaunch[]
  /** Prometheus, Alertmanager and the PostgreSQL exporter; undefined starts none of them. */
  readonly monitoring?: MonitoringConfig | undefined
  readonly logger: Logger
  readonly onProgress: OnProgress
  /** `sretl up --secure`: Kafka over SASL_SSL with users and ACLs, components with their own principals. */
  readonly secure?: SecureStack | undefined
}

export interface RunningStack {
  readonly services: readonly ServiceState[]
  readonly topics: readonly TopicOutcome[]
  /** What of Prometheus, Alertmanager and the exporter runs (undefined: not asked for). */
  readonly monitoring: MonitoringOutcome | undefined
  /** Resolves when a component or the broker exits while the stack is running. */
  readonly unexpectedExit: Promise<{ name: string; exit: ProcessExit }>
  stop(): Promise<void>
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, onProgress } = options
  const stops: { name: string; stop: () => Promise<void> }[] = []
  const services: ServiceState[] = []
  const watched: ManagedProcess[] = []
  let topics: TopicOutcome[]
  let monitoring: MonitoringOutcome | undefined
  const stopAll = async (): Promise<void> => {
    while (stops.length > 0) {
      const item = stops.pop()
      if (!item) continue
      onProgress({ step: item.name, state: 'update', detail: 'stopping…' })
      try {
        await item.stop()
        onProgress({ step: item.name, state: 'done', detail: 'stopped' })
      } catch (err) {
        onProgress({ step: item.name, state: 'fail', detail: `stop failed: ${errorMessage(err)}` })
      }
    }
  }

  try {
    // PostgreSQL
    onProgress({ step: 'postgres', state: 'start', detail: `checking ${redactUrl(config.postgres.url)}…` })
    const postgres: PostgresHandle = await ensurePostgres({
      url: config.postgres.url,
      settings: config.postgres,
      explicit: config.postgres.explicit,
      connectTimeoutMs: config.postgres.connectTimeoutMs,
      onProgress,
    })
    if (postgres.startedCluster) stops.push({ name: 'postgres', stop: () => postgres.stop() })
    services.push({
      name: 'postgres',
      kind: 'infrastructure',
      owned: postgres.startedCluster !== undefined,
      address: redactUrl(config.postgres.url),
      detail: postgres.startedCluster
        ? `started cluster ${postgres.startedCluster.version}/${postgres.startedCluster.name}`
        : 'reused',
    })
    onProgress({
      step: 'postgres',
      state: 'done',
      detail: `${postgres.startedCluster ? 'started' : 'reused'} ${redactUrl(config.postgres.url)}`,
    })

    onProgress({ step: 'schema', state: 'start', detail: 'applying migrations…' })
    const prepared = await prepareDatabase(config.postgres, {
      onApply: (m) =>
        onProgress({
          step: 'schema',
          state: 'update',
          detail: `applying ${String(m.version).padStart(4, '0')}_${m.name}`,
        }),
    })
    onProgress({
      step: 'schema',
      state: 'done',
      detail: `${prepared.migrations.applied.length} migration(s) applied, schema at version ${prepared.migrations.latestVersion}; ${prepared.partitions.length} partition(s) created; ${prepared.reference.stores.total} stores, ${prepared.reference.products.total} products`,
    })

    // each component's own login (ADR 0051), unless every component is to use DATABASE_URL
    let database: ComponentDatabaseEnv | undefined
    if (config.postgres.perComponentLogins) {
      onProgress({ step: 'db-logins', state: 'start', detail: 'creating the components’ logins…' })
      database = await componentDatabaseEnv(config.postgres, config.paths.home, {
        prefix: config.postgres.loginPrefix,
      })
      onProgress({
        step: 'db-logins',
        state: 'done',
        detail: `${database.logins.map((l) => l.login).join(', ')} (passwords in ${config.paths.home}/secrets)`,
      })
    }

    // Kafka: in secure mode `up` itself connects as the `tools` super user
    const secure = options.secure
    const kafka = secure ? { ...config.kafka, security: secure.toolsSecurity } : config.kafka
    onProgress({ step: 'kafka', state: 'start', detail: `checking ${kafka.bootstrapServers.join(',')}…` })
    let broker: KafkaBroker | undefined
    if (await kafkaAnswers(kafka)) {
      services.push({
        name: 'kafka',
        kind: 'infrastructure',
        owned: false,
        address: kafka.bootstrapServers.join(','),
        detail: 'reused',
      })
      onProgress({ step: 'kafka', state: 'done', detail: `reused ${kafka.bootstrapServers.join(',')}` })
    } else {
      const local = `127.0.0.1:${kafka.local.port}`
      if (kafka.bootstrapServers.length !== 1 || kafka.bootstrapServers[0] !== local) {
        throw new SretlError(
          'KAFKA_UNAVAILABLE',
          `no Kafka broker answers at KAFKA_BOOTSTRAP_SERVERS=${kafka.bootstrapServers.join(',')}; start it, or unset the variable to let sretl run one locally`,
        )
      }
      // a secure broker's storage holds its SCRAM users: it never shares the plain broker's
      const dataDir = kafka.local.dataDir ?? join(config.paths.home, secure ? 'kafka-secure' : 'kafka')
      const brokerStartedAt = Date.now()
      broker = await startKafkaBroker({
        ...(secure ? { security: secure.kafka } : {}),
        version: kafka.local.version,
        port: kafka.local.port,
        controllerPort: kafka.local.controllerPort,
        heap: kafka.local.heap,
        dataDir,
        logFile: join(config.paths.logs, 'kafka.log'),
        pidFile: join(config.paths.run, 'kafka.pid'),
        cacheDir: config.paths.cache,
        startTimeoutMs: kafka.local.startTimeoutMs,
        javaHome: kafka.local.javaHome,
        mavenCmd: kafka.local.mavenCmd,
        onProgress,
      })
      const started = broker
      stops.push({ name: 'kafka', stop: () => started.stop() })
      watched.push(started.process)
      services.push({
        name: 'kafka',
        kind: 'infrastructure',
        pid: started.process.pid,
        owned: true,
        address: started.bootstrap,
        logFile: started.process.logFile,
        detail: `Kafka ${kafka.local.version}, data ${dataDir}`,
      })
      onProgress({
        step: 'kafka',
        state: 'done',
        detail: `started Kafka ${kafka.local.version} at ${started.bootstrap}${secure ? ' (SASL_SSL, SCRAM-SHA-512, ACLs)' : ''} in ${Date.now() - brokerStartedAt} ms (pid ${started.process.pid})`,
      })
    }

    onProgress({ step: 'topics', state: 'start', detail: 'creating topics…' })
    const admin = createAdmin(kafka)
    try {
      topics = await ensureTopics(admin, topicSpecs(kafka))
      if (secure) {
        const count = await secure.applyAcls(admin)
        onProgress({ step: 'topics', state: 'update', detail: `${count} ACL entries in place` })
      }
    } finally {
      await admin.close()
    }
    onProgress({
      step: 'topics',
      state: 'done',
      detail: topics.map((t) => `${t.name} (${t.partitions} partitions, ${t.action})`).join(', '),
    })

    // Prometheus, Alertmanager, PostgreSQL exporter: before the components, so their start is seen
    if (options.monitoring) {
      monitoring = await startMonitoring({
        config: options.monitoring,
        paths: config.paths,
        databaseUrl: database?.exporterUrl ?? config.postgres.url,
        components: options.components,
        onProgress,
        onStarted: (service) => {
          stops.push({ name: service.name, stop: () => service.stop() })
          watched.push(service.process)
          services.push({
            name: service.name,
            kind: 'monitoring',
            pid: service.process.pid,
            owned: true,
            address: service.address,
            logFile: service.process.logFile,
            detail: service.detail,
          })
        },
      })
    }

    // components
    for (const component of options.components) {
      onProgress({ step: component.name, state: 'start', detail: 'starting…' })
      const child = startProcess({
        name: component.name,
        command: process.execPath,
        args: component.args,
        env: {
          ...options.env,
          ...database?.env[component.name],
          ...component.env,
          ...secure?.componentEnv(component.name),
        },
        logFile: join(config.paths.logs, `${component.name}.log`),
        pidFile: join(config.paths.run, `${component.name}.pid`),
      })
      stops.push({ name: component.name, stop: async () => void (await child.stop(15_000)) })
      watched.push(child)
      services.push({
        name: component.name,
        kind: 'component',
        pid: child.pid,
        owned: true,
        address: component.address,
        logFile: child.logFile,
      })
      onProgress({ step: component.name, state: 'done', detail: `${component.address} (pid ${child.pid})` })
    }
  } catch (err) {
    await stopAll()
    throw err
  }

  const unexpectedExit = new Promise<{ name: string; exit: ProcessExit }>((resolve) => {
    for (const child of watched) {
      void child.exited.then((exit) => {
        if (stops.length > 0) resolve({ name: child.name, exit })
      })
    }
  })
  return { services, topics, monitoring, unexpectedExit, stop: stopAll }
}
