/**
 * The local stack in one call: PostgreSQL (reused or started), schema, Kafka (reused or started),
 * topics, then the pipeline's components as child processes. Everything it started is supervised
 * (restarted with backoff when it exits, ADR 0060) and stopped, in reverse order, only by `stop`.
 */
import type { BaseConfig } from '../platform/base-config.ts'
import type { TopicOutcome } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'
import type { MonitoringConfig } from '../platform/monitoring-config.ts'
import type { SupervisionConfig } from '../platform/supervision-config.ts'
import type { ComponentLaunch } from './components.ts'
import type { MonitoringOutcome } from './monitoring.ts'
import type { OnProgress } from './progress.ts'
import type { SecureStack } from './secure-stack.ts'
import { startStackComponents, startStackMonitoring } from './stack-components.ts'
import { startStackDatabase } from './stack-database.ts'
import { ensureStackTopics, startStackKafka } from './stack-kafka.ts'
import { createStackServices } from './stack-services.ts'
import type { ServiceState } from './state.ts'
import type { SupervisorEvent } from './supervisor.ts'

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
  const { config, onProgress, secure } = options
  const services = createStackServices({
    policy: options.supervision.policy,
    logger: options.logger,
    onProgress,
    onSupervision: options.onSupervision,
  })
  try {
    const database = await startStackDatabase({
      config,
      postgresCheckIntervalMs: options.supervision.postgresCheckIntervalMs,
      services,
      onProgress,
    })
    const kafka = await startStackKafka({ config, secure, services, onProgress })
    const topics = await ensureStackTopics(kafka, secure, onProgress)
    const monitoring = options.monitoring
      ? await startStackMonitoring({
          config: options.monitoring,
          paths: config.paths,
          databaseUrl: database?.exporterUrl ?? config.postgres.url,
          components: options.components,
          services,
          onProgress,
        })
      : undefined
    startStackComponents({
      components: options.components,
      env: options.env,
      paths: config.paths,
      database,
      secure,
      services,
      onProgress,
    })
    return { services: services.list, topics, monitoring, stop: services.stopAll }
  } catch (err) {
    await services.stopAll()
    throw err
  }
}
