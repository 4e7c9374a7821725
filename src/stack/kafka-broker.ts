/**
 * A single-node Kafka (KRaft, broker + controller in one JVM) for laptops and tests: writes its
 * config, formats storage once, starts `kafka.Kafka` and waits until a metadata request succeeds.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { ensurePrivateDir } from '../platform/admin-token.ts'
import { join } from 'node:path'
import type { KafkaSecurity } from '../platform/base-config.ts'
import { SretlError } from '../platform/errors.ts'
import { waitForKafka } from '../platform/kafka.ts'
import { findJava } from './java.ts'
import { ensureKafkaDist, type KafkaDist } from './kafka-dist.ts'
import {
  clientSecurity,
  scramFormatArgs,
  secureBrokerProperties,
  writeBrokerKeystore,
  type BrokerSecurity,
} from './kafka-security.ts'
import { writeSecret } from './local-ca.ts'
import { startProcess, type ManagedProcess } from './managed-process.ts'
import { assertPortFree } from './ports.ts'
import type { OnProgress } from './progress.ts'
import { runCommand } from './run-command.ts'

export interface KafkaBrokerOptions {
  readonly version: string
  readonly port: number
  readonly controllerPort: number
  readonly heap: string
  readonly dataDir: string
  readonly logFile: string
  readonly pidFile?: string
  readonly cacheDir: string
  readonly startTimeoutMs: number
  readonly javaHome: string | undefined
  readonly mavenCmd: string
  readonly onProgress: OnProgress
  /** Extra server.properties entries (tests use them to shorten timeouts). */
  readonly overrides?: Readonly<Record<string, string>>
  /** Secure mode: SASL_SSL + SCRAM users + authorizer (src/stack/kafka-security.ts). */
  readonly security?: BrokerSecurity
  /** One node of a multi-node cluster (src/stack/kafka-cluster.ts); absent: a cluster of one. */
  readonly node?: ClusterNode
}

/** A node's place in a KRaft cluster whose nodes are all broker and controller. */
export interface ClusterNode {
  readonly id: number
  /** `controller.quorum.voters`: id@host:controllerPort of every node. */
  readonly voters: string
  /** Shared by every node: storage formatted with another id refuses to join. */
  readonly clusterId: string
  /** Nodes in the cluster: internal topics get this replication factor (at most 3). */
  readonly size: number
}

export interface KafkaBroker {
  readonly bootstrap: string
  /** How the launcher itself connected (the `tools` principal in secure mode). */
  readonly clientSecurity: KafkaSecurity | undefined
  readonly process: ManagedProcess
  readonly dist: KafkaDist
  readonly java: string
  stop(): Promise<void>
}

export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const java = await findJava(options.javaHome)
  const dist = await ensureKafkaDist({
    version: options.version,
    cacheDir: options.cacheDir,
    mavenCmd: options.mavenCmd,
    onProgress: options.onProgress,
  })
  await assertPortFree(options.port, 'Kafka client port', 'KAFKA_PORT')
  await assertPortFree(options.controllerPort, 'Kafka controller port', 'KAFKA_CONTROLLER_PORT')

  const files = writeBrokerFiles(options)
  const jvmArgs = [
    `-Dlog4j2.configurationFile=${files.log4jFile}`,
    `-Dkafka.logs.dir=${files.logsDir}`,
    '-cp',
    dist.classpath,
  ]
  await formatStorage(java.executable, jvmArgs, files, options)

  options.onProgress({
    step: 'kafka',
    state: 'update',
    detail: `starting Kafka ${options.version} on 127.0.0.1:${options.port}…`,
  })
  const broker = startProcess({
    name: options.node ? `kafka-${options.node.id}` : 'kafka',
    command: java.executable,
    args: [
      `-Xmx${options.heap}`,
      `-Xms${initialHeap(options.heap)}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...jvmArgs,
      'kafka.Kafka',
      files.propertiesFile,
    ],
    logFile: options.logFile,
    ...(options.pidFile ? { pidFile: options.pidFile } : {}),
  })
  const bootstrap = `127.0.0.1:${options.port}`
  const launcherSecurity = options.security ? clientSecurity(options.security, 'tools') : undefined
  await awaitBrokerReady(broker, bootstrap, launcherSecurity, options)
  return {
    bootstrap,
    clientSecurity: launcherSecurity,
    process: broker,
    dist,
    java: java.executable,
    async stop() {
      await broker.stop(30_000)
    },
  }
}

interface BrokerFiles {
  readonly logsDir: string
  readonly storageDir: string
  readonly propertiesFile: string
  readonly log4jFile: string
}

function writeBrokerFiles(options: KafkaBrokerOptions): BrokerFiles {
  const logsDir = join(options.dataDir, 'logs')
  const storageDir = join(options.dataDir, 'storage')
  // the data and the properties (which hold the broker's password in secure mode) are private
  ensurePrivateDir(options.dataDir)
  mkdirSync(storageDir, { recursive: true, mode: 0o700 })
  mkdirSync(logsDir, { recursive: true, mode: 0o700 })
  const security = options.security
  const formattedBefore = existsSync(join(storageDir, 'meta.properties'))
  if (security && formattedBefore) {
    const fresh = [...security.credentials.values()].filter((c) => c.created).map((c) => c.passwordFile)
    if (fresh.length > 0) {
      throw new SretlError(
        'KAFKA_SECURITY_SETUP_FAILED',
        `new Kafka passwords were generated (${fresh.join(', ')}) but the broker storage ${storageDir} was formatted with the old ones; restore the old password files or remove ${options.dataDir}`,
      )
    }
  }
  let secureProperties: Record<string, string> = {}
  if (security) {
    const keystore = join(options.dataDir, 'broker-keystore.pem')
    writeBrokerKeystore(security, keystore)
    secureProperties = secureBrokerProperties(security, options, keystore)
  }
  const propertiesFile = join(options.dataDir, 'server.properties')
  writeSecret(propertiesFile, serverProperties({ ...options, storageDir }, secureProperties))
  const log4jFile = join(options.dataDir, 'log4j2.properties')
  writeFileSync(log4jFile, LOG4J2_PROPERTIES)
  return { logsDir, storageDir, propertiesFile, log4jFile }
}

/** Formats the storage on first start (later ones pass --ignore-formatted); in secure mode with the SCRAM users. */
async function formatStorage(
  java: string,
  jvmArgs: readonly string[],
  files: BrokerFiles,
  options: KafkaBrokerOptions,
): Promise<void> {
  const clusterId = options.node?.clusterId ?? clusterIdFor(options.dataDir)
  const format = await runCommand(
    java,
    [
      ...jvmArgs,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      files.propertiesFile,
      '--ignore-formatted',
      ...(options.security ? scramFormatArgs(options.security) : []),
    ],
    { timeoutMs: 120_000 },
  )
  if (format.code !== 0) {
    throw new SretlError(
      'KAFKA_START_FAILED',
      `formatting Kafka storage in ${files.storageDir} failed: ${lastLines(format.output, 3)}`,
    )
  }
}

/** Waits for a metadata answer; a broker that dies or stays silent is stopped and its log's tail shown. */
async function awaitBrokerReady(
  broker: ManagedProcess,
  bootstrap: string,
  launcherSecurity: KafkaSecurity | undefined,
  options: KafkaBrokerOptions,
): Promise<void> {
  try {
    await waitForKafka(
      {
        bootstrapServers: [bootstrap],
        clientId: 'sretl-launcher',
        requestTimeoutMs: 5000,
        ...(launcherSecurity ? { security: launcherSecurity } : {}),
      },
      { timeoutMs: options.startTimeoutMs, isAlive: () => broker.isAlive() },
    )
  } catch {
    const alive = broker.isAlive()
    await broker.stop(5000)
    throw new SretlError(
      'KAFKA_START_FAILED',
      alive
        ? `Kafka did not become ready within ${options.startTimeoutMs} ms (log: ${options.logFile}); last lines:\n${broker.tail(8)}`
        : `Kafka exited during start-up (log: ${options.logFile}); last lines:\n${broker.tail(8)}`,
    )
  }
}

/** The cluster id is kept beside the data so a restarted broker finds its formatted storage. */
export function clusterIdFor(dataDir: string): string {
  const file = join(dataDir, 'cluster.id')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  let id: string
  do {
    id = randomBytes(16).toString('base64url')
  } while (id.startsWith('-'))
  writeFileSync(file, `${id}\n`)
  return id
}

/**
 * Durability settings by cluster size: with three nodes every topic (the internal ones too) keeps
 * three copies and an acks=all write needs two of them, so one node may die without a write being
 * refused or an acknowledged one lost; a replica that missed writes never becomes leader.
 */
export function replicationProperties(nodes: number): Record<string, string> {
  const replicas = String(Math.min(3, nodes))
  const minIsr = String(Math.min(2, nodes))
  return {
    'default.replication.factor': replicas,
    'min.insync.replicas': minIsr,
    'unclean.leader.election.enable': 'false',
    'offsets.topic.replication.factor': replicas,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minIsr,
  }
}

export function serverProperties(
  options: KafkaBrokerOptions & { storageDir: string },
  secure: Readonly<Record<string, string>>,
): string {
  const entries: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(options.node?.id ?? 1),
    'controller.quorum.voters': options.node?.voters ?? `1@127.0.0.1:${options.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': options.storageDir,
    'num.partitions': '1',
    'auto.create.topics.enable': 'false',
    'offsets.topic.num.partitions': '10',
    ...replicationProperties(options.node?.size ?? 1),
    'group.initial.rebalance.delay.ms': '0',
    'message.max.bytes': String(8 * 1024 * 1024),
    'log.retention.hours': '168',
    'log.segment.bytes': String(256 * 1024 * 1024),
    // the cleaner of the compacted topics allocates this at start-up; Kafka's 128 MiB default
    // left a 256 MiB node of the three-node cluster dead of OutOfMemoryError before it was ready
    'log.cleaner.dedupe.buffer.size': String(16 * 1024 * 1024),
    ...secure,
    ...options.overrides,
  }
  return `${Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`
}

const LOG4J2_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = INFO
logger.coordinator.name = org.apache.kafka.coordinator
logger.coordinator.level = WARN
`

/** Start small and let the heap grow to -Xmx: a laptop broker rarely needs all of it. */
function initialHeap(heap: string): string {
  const mb = Number(heap.slice(0, -1)) * (heap.endsWith('g') ? 1024 : 1)
  return `${Math.min(mb, 128)}m`
}

function lastLines(output: string, n: number): string {
  return output.split('\n').filter(Boolean).slice(-n).join(' | ')
}
