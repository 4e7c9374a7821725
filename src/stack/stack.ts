/**
 * The local stack in one call: PostgreSQL (reused or started), schema, Kafka (reused or started),
 * topics, then the pipeline's components as child processes. Everything it started is supervised
 * (restarted with backoff when it exits, ADR 0060) and stopped, in reverse order, only by `stop`.
 */
import { join } from 'node:path'
import type { BaseConfig } from '../platform/base-config.ts'
import { errorMessage, SretlError } from '../platform/errors.ts'
import { createAdmin, ensureTopics, kafkaAnswers, type TopicOutcome } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'
import { redactUrl } from '../platform/logger.ts'
import type { MonitoringConfig } from '../platform/monitoring-config.ts'
import { prepareDatabase } from '../database/schema.ts'
import { topicSpecs } from '../platform/topics.ts'
import type { ComponentLaunch } from './components.ts'
import { startKafkaBroker } from './kafka-broker.ts'
import { bootstrapOf, clusterLayout, startKafkaCluster } from './kafka-cluster.ts'
import type { SupervisionConfig } from '../platform/supervision-config.ts'
import { startProcess, type ManagedProcess, type StartProcessOptions } from './managed-process.ts'
import { startMonitoring, type MonitoringOutcome } from './monitoring.ts'
import { ensurePostgres, startCluster, watchCluster, type PostgresHandle } from './postgres-server.ts'
import { componentDatabaseEnv, type ComponentDatabaseEnv } from './database-logins.ts'
import type { OnProgress } from './progress.ts'
import type { SecureStack } from './secure-stack.ts'
import type { ServiceState } from './state.ts'
import { supervise, type Supervisable, type Supervisor, type SupervisorEvent } from './supervisor.ts'

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
  readonly supervision: SupervisionConfig
  /** After each exit, restart or give-up of a supervised process, with the services as they are now. */
  readonly onSupervision?: (event: SupervisorEvent, services: readonly ServiceState[]) => void
}

export interface RunningStack {
  /** The services as they are now (pids and restart counts change under supervision). */
  readonly services: readonly ServiceState[]
  readonly topics: readonly TopicOutcome[]
  /** What of Prometheus, Alertmanager and the exporter runs (undefined: not asked for). */
  readonly monitoring: MonitoringOutcome | undefined
  stop(): Promise<void>
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, onProgress } = options
  const stops: { name: string; stop: () => Promise<void> }[] = []
  const services: ServiceState[] = []
  const supervisors: Supervisor<Supervisable>[] = []
  let topics: TopicOutcome[]
  let monitoring: MonitoringOutcome | undefined
  const onEvent = (event: SupervisorEvent): void => {
    const index = services.findIndex((s) => s.name === event.name)
    const service = services[index]
    if (service) {
      const { pid: _previous, ...rest } = service
      const pid = event.kind === 'restarted' ? event.pid : service.pid
      services[index] = {
        ...rest,
        ...(pid === undefined ? {} : { pid }),
        restarts: event.restarts,
        supervision: event.state,
        lastEvent: { at: new Date().toISOString(), message: event.message },
      }
    }
    options.logger[event.kind === 'restarted' ? 'info' : 'warn'](
      { service: event.name, restarts: event.restarts, pid: event.pid },
      event.message,
    )
    options.onSupervision?.(event, services)
  }
  /** Supervises a process from now on; the stack's stop ends supervision before stopping it. */
  const superviseProcess = <P extends Supervisable>(name: string, first: P, restart: () => Promise<P>) => {
    const supervisor = supervise({ name, first, restart, policy: options.supervision.policy, onEvent })
    supervisors.push(supervisor)
    return supervisor
  }
  const stopAll = async (): Promise<void> => {
    await Promise.all(supervisors.map((s) => s.stop()))
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
    const cluster = postgres.startedCluster
    if (cluster) {
      const interval = options.supervision.postgresCheckIntervalMs
      const supervisor = superviseProcess('postgres', watchCluster(cluster, interval), async () => {
        await startCluster(cluster)
        return watchCluster(cluster, interval)
      })
      stops.push({
        name: 'postgres',
        stop: async () => {
          supervisor.current().cancel()
          await postgres.stop()
        },
      })
    }
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
      const nodes = kafka.local.brokers
      const layout = clusterLayout({
        nodes,
        port: kafka.local.port,
        controllerPort: kafka.local.controllerPort,
        dataDir: '',
        logDir: '',
      })
      if (kafka.bootstrapServers.join(',') !== bootstrapOf(layout)) {
        throw new SretlError(
          'KAFKA_UNAVAILABLE',
          `no Kafka broker answers at KAFKA_BOOTSTRAP_SERVERS=${kafka.bootstrapServers.join(',')}; start it, or unset the variable to let sretl run one locally`,
        )
      }
      if (secure && nodes !== 1) {
        throw new SretlError(
          'CONFIG_INVALID',
          'secure mode runs a single Kafka broker: use `sretl up --secure` without --brokers 3 (KAFKA_LOCAL_BROKERS=1)',
        )
      }
      // a secure broker's storage holds its SCRAM users: it never shares the plain broker's; a
      // cluster's nodes never share a single broker's storage (another cluster id)
      const dataDir =
        kafka.local.dataDir ??
        join(config.paths.home, secure ? 'kafka-secure' : nodes === 1 ? 'kafka' : 'kafka-cluster')
      const brokerStartedAt = Date.now()
      const clusterOptions = {
        nodes,
        version: kafka.local.version,
        port: kafka.local.port,
        controllerPort: kafka.local.controllerPort,
        heap: kafka.local.heap,
        dataDir,
        logDir: config.paths.logs,
        runDir: config.paths.run,
        cacheDir: config.paths.cache,
        startTimeoutMs: kafka.local.startTimeoutMs,
        javaHome: kafka.local.javaHome,
        mavenCmd: kafka.local.mavenCmd,
        onProgress,
      }
      if (secure) {
        const brokerOptions = {
          ...clusterOptions,
          security: secure.kafka,
          logFile: join(config.paths.logs, 'kafka.log'),
          pidFile: join(config.paths.run, 'kafka.pid'),
        }
        const started = await startKafkaBroker(brokerOptions)
        const supervisor = superviseProcess('kafka', started.process, async () => {
          // the users were written into the storage at its first format: a restart creates none
          const credentials = new Map(
            [...secure.kafka.credentials].map(([user, c]) => [user, { ...c, created: false }]),
          )
          const again = await startKafkaBroker({
            ...brokerOptions,
            security: { ...secure.kafka, credentials },
            onProgress: () => undefined,
          })
          return again.process
        })
        stops.push({ name: 'kafka', stop: async () => void (await supervisor.current().stop(30_000)) })
        services.push({
          name: 'kafka',
          kind: 'infrastructure',
          pid: started.process.pid,
          owned: true,
          address: started.bootstrap,
          logFile: started.process.logFile,
          detail: `Kafka ${kafka.local.version}, data ${dataDir}`,
        })
      } else {
        const cluster = await startKafkaCluster(clusterOptions)
        const nodeSupervisors: Supervisor<ManagedProcess>[] = []
        // all nodes at once: the last of three stopped alone has no quorum to shut down cleanly with
        stops.push({
          name: 'kafka',
          stop: async () => void (await Promise.all(nodeSupervisors.map((s) => s.current().stop(30_000)))),
        })
        for (const [index, node] of cluster.layout.entries()) {
          const name = nodes === 1 ? 'kafka' : `kafka-${node.id}`
          const first = cluster.process(index)
          if (!first) continue
          // a restart waits until the node answers again, so a start that fails counts as a failure
          nodeSupervisors.push(superviseProcess(name, first, () => cluster.restart(index)))
          services.push({
            name,
            kind: 'infrastructure',
            pid: first.pid,
            owned: true,
            address: `127.0.0.1:${node.port}`,
            logFile: first.logFile,
            detail: `Kafka ${kafka.local.version}${nodes === 1 ? '' : `, node ${node.id} of ${nodes}`}, data ${node.dataDir}`,
          })
        }
      }
      onProgress({
        step: 'kafka',
        state: 'done',
        detail: `started Kafka ${kafka.local.version} at ${kafka.bootstrapServers.join(',')}${secure ? ' (SASL_SSL, SCRAM-SHA-512, ACLs)' : ''}${nodes === 1 ? '' : ` (${nodes} nodes, replication factor ${kafka.replicationFactor}, min.insync.replicas ${Math.min(2, kafka.replicationFactor)})`} in ${Date.now() - brokerStartedAt} ms`,
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
          const supervisor = superviseProcess(service.name, service.process, () =>
            Promise.resolve(service.restart()),
          )
          stops.push({ name: service.name, stop: async () => void (await supervisor.current().stop(15_000)) })
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
      const launch: StartProcessOptions = {
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
      }
      const child = startProcess(launch)
      const supervisor = superviseProcess(component.name, child, () => Promise.resolve(startProcess(launch)))
      stops.push({ name: component.name, stop: async () => void (await supervisor.current().stop(15_000)) })
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

  return { services, topics, monitoring, stop: stopAll }
}
