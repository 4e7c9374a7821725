/** Wiring of `sretl run lander`: pools, Kafka clients, the lander, its schedule and its server. */
import { runComponent, type ComponentContext, type StartedComponent } from '../platform/component-runner.ts'
import type { Env } from '../platform/config.ts'
import { createAdmin, createConsumer, createProducer, ensureTopics } from '../platform/kafka.ts'
import { createPool } from '../platform/postgres.ts'
import { topicNames, topicSpecs } from '../platform/topics.ts'
import { landerSection, type LanderSettings } from './config.ts'
import { createLander } from './lander.ts'
import { startMaintenanceSchedule } from './maintenance.ts'
import { createLanderMetrics } from './metrics.ts'
import { buildLanderServer } from './server.ts'
import { databasePasswordDefault } from '../platform/live-defaults.ts'
import { createAggregates } from '../aggregates/in-stream/aggregates.ts'
import { createAggregatesMetrics } from '../aggregates/in-stream/metrics.ts'
import { caughtUp } from '../aggregates/in-stream/caught-up.ts'

export const main = (env: Env): Promise<number> =>
  runComponent(env, {
    name: 'lander',
    section: landerSection,
    liveDefaults: (config) => ({
      host: undefined,
      defaults: [databasePasswordDefault(config.postgres.url)],
    }),
    start,
  })

async function start(context: ComponentContext<LanderSettings>): Promise<StartedComponent> {
  const { config, logger, lifecycle } = context
  const { lander: settings, maintenance: maintenanceSettings, aggregates: aggSettings } = config.component
  const clock = (): number => Date.now()
  const topics = topicNames(config.kafka)
  const metrics = createLanderMetrics(context.metrics)

  const { writer, owner } = createLanderPools(context)
  await checkTopics(context)

  const producer = createProducer(config.kafka, 'lander-dlq')
  lifecycle.add('dead-letter producer', () => producer.close())
  const aggregates = aggSettings.enabled
    ? createAggregates({
        pool: writer,
        producer,
        topics: topics.aggregates,
        sourceTopic: topics.salesEvents,
        config: aggSettings,
        sendTimeoutMs: config.kafka.sendTimeoutMs,
        caughtUp: () => lander.ready && caughtUp(lander.status().details.partitions),
        clock,
        logger: logger.child({ part: 'aggregates' }),
        metrics: createAggregatesMetrics(context.metrics),
      })
    : undefined
  const consumer = createConsumer(config.kafka, {
    groupId: settings.groupId,
    clientSuffix: 'lander',
    sessionTimeoutMs: settings.sessionTimeoutMs,
    maxBytes: settings.fetch.maxBytes,
    highWaterMark: settings.fetch.maxRecords,
    ...(settings.groupInstanceId ? { groupInstanceId: settings.groupInstanceId } : {}),
  })
  lifecycle.add('consumer', () => consumer.close(true))

  const lander = createLander({
    consumer,
    pool: writer,
    producer,
    logger,
    metrics,
    clock,
    config: settings,
    topics: { source: topics.salesEvents, dlq: topics.salesDlq },
    sendTimeoutMs: config.kafka.sendTimeoutMs,
    ...(aggregates ? { hooks: aggregates.hooks } : {}),
  })
  const maintenance = startMaintenanceSchedule({
    owner,
    reader: writer,
    settings: maintenanceSettings,
    intervalMs: settings.maintenanceIntervalMs,
    defaultRowsIntervalMs: settings.defaultRowsIntervalMs,
    metrics,
    logger,
    clock,
  })
  lifecycle.add('maintenance schedule', () => maintenance.stop())
  lander.start()
  lifecycle.add('lander', () => lander.stop())
  if (aggregates) {
    aggregates.start()
    lifecycle.add('aggregates publish cycle', () => aggregates.stop())
  }
  const lagTimer = setInterval(() => void lander.refreshLag(), settings.lagIntervalMs)
  lifecycle.add('lag timer', () => clearInterval(lagTimer))

  return {
    server: buildLanderServer({
      lander,
      maintenance,
      logger,
      metrics: context.metrics,
      ...(aggregates ? { aggregates: () => aggregates.status() } : {}),
      guards: context.http,
    }),
    port: settings.port,
    host: settings.host,
  }
}

/** The landing pool and the maintenance pool, each with its own role's rights only; both closed at stop. */
function createLanderPools({ config, logger, lifecycle }: ComponentContext<LanderSettings>) {
  const settings = config.component.lander
  const writer = createPool(config.postgres, {
    applicationName: 'sretl-lander',
    // the landing transaction's rights only (migration 0008): no audit_log, no DDL
    role: 'sretl_landing',
    max: 3,
    ...(settings.statementTimeoutMs > 0 ? { statementTimeoutMs: settings.statementTimeoutMs } : {}),
    ...(settings.idleInTransactionTimeoutMs > 0
      ? { idleInTransactionTimeoutMs: settings.idleInTransactionTimeoutMs }
      : {}),
    logger,
  })
  lifecycle.add('writer pool', () => writer.end())
  const owner = createPool(config.postgres, {
    applicationName: 'sretl-lander-maintenance',
    // partition DDL through the owner functions of migration 0008, never as the owner itself
    role: 'sretl_maintainer',
    max: 1,
    logger,
  })
  lifecycle.add('maintenance pool', () => owner.end())
  return { writer, owner }
}

/** The topics exist when `sretl up` made them; a lander run on its own creates them if missing. */
async function checkTopics({ config, logger }: ComponentContext<LanderSettings>): Promise<void> {
  const admin = createAdmin(config.kafka, 'lander-admin')
  try {
    await ensureTopics(admin, topicSpecs(config.kafka))
  } catch (err) {
    logger.warn({ err }, 'could not check the topics; consuming anyway')
  } finally {
    await admin.close().catch(() => undefined)
  }
}
