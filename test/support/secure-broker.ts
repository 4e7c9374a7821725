/**
 * A Kafka broker in secure mode for the security tests only (the default suite keeps the run's
 * plain broker, which starts faster): its own CA, SCRAM users and ACLs, on free ports, in a
 * directory of its own that stop() removes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KafkaSecurity } from '../../src/platform/base-config.ts'
import { baseConfigSection } from '../../src/platform/base-config.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { createAdmin, ensureTopics, type ConnectionSettings } from '../../src/platform/kafka.ts'
import { topicNames, topicSpecs } from '../../src/platform/topics.ts'
import { startKafkaBroker, type KafkaBroker } from '../../src/stack/kafka-broker.ts'
import {
  applyAcls,
  clientEnv,
  clientSecurity,
  prepareBrokerSecurity,
  serviceAcls,
  type BrokerSecurity,
  type KafkaServiceUser,
} from '../../src/stack/kafka-security.ts'
import { findFreePort } from '../../src/stack/ports.ts'

export interface SecureBroker {
  readonly bootstrap: string
  readonly broker: KafkaBroker
  readonly security: BrokerSecurity
  readonly topicPrefix: string
  readonly landerGroup: string
  readonly controlGroupPrefix: string
  readonly startMs: number
  /** Connection settings of a service principal. */
  settings(user: KafkaServiceUser, clientId?: string): ConnectionSettings
  /** Connection settings with any security (or none), to try what is refused. */
  settingsWith(security: KafkaSecurity | undefined, clientId?: string): ConnectionSettings
  /** Environment for a `sretl` process running as `user`. */
  env(user: KafkaServiceUser): Record<string, string>
  stop(): Promise<void>
}

export async function startSecureBroker(
  options: { topicPrefix?: string; landerGroup?: string; clientId?: string } = {},
): Promise<SecureBroker> {
  const config = loadConfig(process.env, baseConfigSection)
  const dir = mkdtempSync(join(process.env.SRETL_TEST_RUN_DIR ?? tmpdir(), 'secure-kafka-'))
  const topicPrefix = options.topicPrefix ?? 'sec.'
  const landerGroup = options.landerGroup ?? 'sretl-lander'
  const clientId = options.clientId ?? 'sretl'
  const security = await prepareBrokerSecurity({ tlsDir: join(dir, 'tls'), secretsDir: join(dir, 'secrets') })
  const started = Date.now()
  const broker = await startKafkaBroker({
    version: config.kafka.local.version,
    port: await findFreePort(),
    controllerPort: await findFreePort(),
    heap: '512m',
    dataDir: join(dir, 'kafka'),
    logFile: join(dir, 'kafka.log'),
    pidFile: join(dir, 'kafka.pid'),
    cacheDir: config.paths.cache,
    startTimeoutMs: 120_000,
    javaHome: config.kafka.local.javaHome,
    mavenCmd: config.kafka.local.mavenCmd,
    onProgress: () => undefined,
    overrides: { 'group.initial.rebalance.delay.ms': '0', 'offsets.commit.timeout.ms': '5000' },
    security,
  })
  const startMs = Date.now() - started
  const settingsWith = (s: KafkaSecurity | undefined, id = clientId): ConnectionSettings => ({
    bootstrapServers: [broker.bootstrap],
    clientId: id,
    requestTimeoutMs: 10_000,
    ...(s ? { security: s } : {}),
  })
  const names = topicNames({ topicPrefix })
  const admin = createAdmin(settingsWith(clientSecurity(security, 'tools')), 'test-admin')
  try {
    await ensureTopics(admin, topicSpecs({ topicPrefix, salesPartitions: 3, replicationFactor: 1 }))
    await applyAcls(
      admin,
      serviceAcls({
        salesEvents: names.salesEvents,
        salesDlq: names.salesDlq,
        aggregatePrefix: `${topicPrefix}agg.`,
        landerGroup,
        controlGroupPrefix: `${clientId}-control-dlq-`,
      }),
    )
  } finally {
    await admin.close()
  }
  return {
    bootstrap: broker.bootstrap,
    broker,
    security,
    topicPrefix,
    landerGroup,
    controlGroupPrefix: `${clientId}-control-dlq-`,
    startMs,
    settings: (user, id) => settingsWith(clientSecurity(security, user), id),
    settingsWith,
    env: (user) => ({
      ...clientEnv(security, user),
      KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
      TOPIC_PREFIX: topicPrefix,
      LANDER_GROUP_ID: landerGroup,
      KAFKA_CLIENT_ID: clientId,
    }),
    async stop() {
      await broker.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
