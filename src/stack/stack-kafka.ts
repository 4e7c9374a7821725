/**
 * The local stack's Kafka: a broker that already answers is reused; otherwise sretl runs one
 * (a secure single broker, or a cluster of one or three nodes, ADR 0063), supervised. Then the
 * pipeline's topics, and in secure mode their ACLs.
 */
import { join } from 'node:path'
import type { BaseConfig, KafkaConfig, PathsConfig } from '../platform/base-config.ts'
import { SretlError } from '../platform/errors.ts'
import { createAdmin, ensureTopics, kafkaAnswers, type TopicOutcome } from '../platform/kafka.ts'
import { topicSpecs } from '../platform/topics.ts'
import { startKafkaBroker } from './kafka-broker.ts'
import { bootstrapOf, clusterLayout, startKafkaCluster, type KafkaClusterOptions } from './kafka-cluster.ts'
import type { ManagedProcess } from './managed-process.ts'
import type { OnProgress } from './progress.ts'
import type { SecureStack } from './secure-stack.ts'
import type { StackServices } from './stack-services.ts'
import type { Supervisor } from './supervisor.ts'

export interface StackKafkaOptions {
  readonly config: BaseConfig
  readonly secure: SecureStack | undefined
  readonly services: StackServices
  readonly onProgress: OnProgress
}

/** Reuses or starts Kafka; returns how the stack itself connects (the `tools` super user in secure mode). */
export async function startStackKafka(options: StackKafkaOptions): Promise<KafkaConfig> {
  const { config, secure, services, onProgress } = options
  const kafka = secure ? { ...config.kafka, security: secure.toolsSecurity } : config.kafka
  onProgress({ step: 'kafka', state: 'start', detail: `checking ${kafka.bootstrapServers.join(',')}…` })
  if (await kafkaAnswers(kafka)) {
    services.add({
      name: 'kafka',
      kind: 'infrastructure',
      owned: false,
      address: kafka.bootstrapServers.join(','),
      detail: 'reused',
    })
    onProgress({ step: 'kafka', state: 'done', detail: `reused ${kafka.bootstrapServers.join(',')}` })
    return kafka
  }
  const nodes = kafka.local.brokers
  assertLocalKafkaWanted(kafka, secure)
  const brokerStartedAt = Date.now()
  const clusterOptions = localClusterOptions(kafka, config.paths, secure, onProgress)
  if (secure) await startSecureBroker(clusterOptions, config.paths, secure, services)
  else await startCluster(clusterOptions, services)
  onProgress({
    step: 'kafka',
    state: 'done',
    detail: `started Kafka ${kafka.local.version} at ${kafka.bootstrapServers.join(',')}${secure ? ' (SASL_SSL, SCRAM-SHA-512, ACLs)' : ''}${nodes === 1 ? '' : ` (${nodes} nodes, replication factor ${kafka.replicationFactor}, min.insync.replicas ${Math.min(2, kafka.replicationFactor)})`} in ${Date.now() - brokerStartedAt} ms`,
  })
  return kafka
}

/** Runs a broker only where sretl would run it: nobody answering elsewhere is an error, not a cue. */
function assertLocalKafkaWanted(kafka: KafkaConfig, secure: SecureStack | undefined): void {
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
}

function localClusterOptions(
  kafka: KafkaConfig,
  paths: PathsConfig,
  secure: SecureStack | undefined,
  onProgress: OnProgress,
): KafkaClusterOptions {
  const nodes = kafka.local.brokers
  // a secure broker's storage holds its SCRAM users: it never shares the plain broker's; a
  // cluster's nodes never share a single broker's storage (another cluster id)
  const dataDir =
    kafka.local.dataDir ?? join(paths.home, secure ? 'kafka-secure' : nodes === 1 ? 'kafka' : 'kafka-cluster')
  return {
    nodes,
    version: kafka.local.version,
    port: kafka.local.port,
    controllerPort: kafka.local.controllerPort,
    heap: kafka.local.heap,
    dataDir,
    logDir: paths.logs,
    runDir: paths.run,
    cacheDir: paths.cache,
    startTimeoutMs: kafka.local.startTimeoutMs,
    javaHome: kafka.local.javaHome,
    mavenCmd: kafka.local.mavenCmd,
    onProgress,
  }
}

async function startSecureBroker(
  clusterOptions: KafkaClusterOptions,
  paths: PathsConfig,
  secure: SecureStack,
  services: StackServices,
): Promise<void> {
  const brokerOptions = {
    ...clusterOptions,
    security: secure.kafka,
    logFile: join(paths.logs, 'kafka.log'),
    pidFile: join(paths.run, 'kafka.pid'),
  }
  const started = await startKafkaBroker(brokerOptions)
  const supervisor = services.supervise('kafka', started.process, async () => {
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
  services.onStop('kafka', async () => void (await supervisor.current().stop(30_000)))
  services.add({
    name: 'kafka',
    kind: 'infrastructure',
    pid: started.process.pid,
    owned: true,
    address: started.bootstrap,
    logFile: started.process.logFile,
    detail: `Kafka ${clusterOptions.version}, data ${clusterOptions.dataDir}`,
  })
}

async function startCluster(clusterOptions: KafkaClusterOptions, services: StackServices): Promise<void> {
  const nodes = clusterOptions.nodes
  const cluster = await startKafkaCluster(clusterOptions)
  const nodeSupervisors: Supervisor<ManagedProcess>[] = []
  // all nodes at once: the last of three stopped alone has no quorum to shut down cleanly with
  services.onStop(
    'kafka',
    async () => void (await Promise.all(nodeSupervisors.map((s) => s.current().stop(30_000)))),
  )
  for (const [index, node] of cluster.layout.entries()) {
    const name = nodes === 1 ? 'kafka' : `kafka-${node.id}`
    const first = cluster.process(index)
    if (!first) continue
    // a restart waits until the node answers again, so a start that fails counts as a failure
    nodeSupervisors.push(services.supervise(name, first, () => cluster.restart(index)))
    services.add({
      name,
      kind: 'infrastructure',
      pid: first.pid,
      owned: true,
      address: `127.0.0.1:${node.port}`,
      logFile: first.logFile,
      detail: `Kafka ${clusterOptions.version}${nodes === 1 ? '' : `, node ${node.id} of ${nodes}`}, data ${node.dataDir}`,
    })
  }
}

/** The pipeline's topics (and in secure mode the ACLs), created where missing. */
export async function ensureStackTopics(
  kafka: KafkaConfig,
  secure: SecureStack | undefined,
  onProgress: OnProgress,
): Promise<TopicOutcome[]> {
  onProgress({ step: 'topics', state: 'start', detail: 'creating topics…' })
  const admin = createAdmin(kafka)
  let topics: TopicOutcome[]
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
  return topics
}
