/**
 * A local KRaft cluster of one or three nodes, each broker and controller in one JVM, sharing a
 * cluster id (ADR 0063). Three nodes give the replication a production cluster has: topics with
 * three replicas, writes acknowledged by two, a controller quorum that survives one node's loss.
 * Node i (0-based) listens on port + 100·i and controllerPort + 100·i unless ports are given.
 */
import { join } from 'node:path'
import { ensurePrivateDir } from '../platform/admin-token.ts'
import { SretlError } from '../platform/errors.ts'
import { findJava } from './java.ts'
import { clusterIdFor, startKafkaBroker, type KafkaBroker, type KafkaBrokerOptions } from './kafka-broker.ts'
import { ensureKafkaDist } from './kafka-dist.ts'
import type { ManagedProcess } from './managed-process.ts'
import { runCommand } from './run-command.ts'

export const CLUSTER_SIZES = [1, 3] as const
export type ClusterSize = (typeof CLUSTER_SIZES)[number]

/** Where one node listens and keeps its files. */
export interface NodeLayout {
  readonly id: number
  readonly port: number
  readonly controllerPort: number
  readonly dataDir: string
  readonly logFile: string
  readonly pidFile: string | undefined
}

export interface KafkaClusterOptions extends Omit<
  KafkaBrokerOptions,
  'node' | 'port' | 'controllerPort' | 'dataDir' | 'logFile' | 'pidFile' | 'security'
> {
  readonly nodes: ClusterSize
  /** Ports of the first node; the others add 100 per node. */
  readonly port: number
  readonly controllerPort: number
  /** Explicit ports per node (tests use free ones), overriding the +100 layout. */
  readonly ports?: readonly { readonly port: number; readonly controllerPort: number }[]
  /** The cluster's directory: node-1, node-2, node-3 and the shared cluster.id live in it. */
  readonly dataDir: string
  /** Node i logs to `<logDir>/kafka-<i>.log` (`kafka.log` for a cluster of one). */
  readonly logDir: string
  readonly runDir?: string
}

export interface KafkaCluster {
  /** host:port of every node, comma separated (KAFKA_BOOTSTRAP_SERVERS). */
  readonly bootstrap: string
  readonly layout: readonly NodeLayout[]
  /** The node's process as it is now (it changes with every restart). */
  process(index: number): ManagedProcess | undefined
  /** SIGKILL, as a crash; resolves once the process is gone. */
  kill(index: number): Promise<void>
  /** Starts a node that is down again on its storage; resolves once it answers metadata requests. */
  restart(index: number): Promise<ManagedProcess>
  /** Index (0-based) of the node that leads the controller quorum now. */
  activeController(): Promise<number>
  stop(): Promise<void>
}

/** Ports and files of each node; a cluster of one keeps the single broker's names. */
export function clusterLayout(options: {
  nodes: ClusterSize
  port: number
  controllerPort: number
  ports?: readonly { readonly port: number; readonly controllerPort: number }[] | undefined
  dataDir: string
  logDir: string
  runDir?: string | undefined
}): NodeLayout[] {
  if (options.ports && options.ports.length !== options.nodes) {
    throw new SretlError(
      'CONFIG_INVALID',
      `${options.ports.length} port pairs given for ${options.nodes} Kafka nodes`,
    )
  }
  return Array.from({ length: options.nodes }, (_, i) => {
    const single = options.nodes === 1
    const name = single ? 'kafka' : `kafka-${i + 1}`
    const given = options.ports?.[i]
    return {
      id: i + 1,
      port: given?.port ?? options.port + 100 * i,
      controllerPort: given?.controllerPort ?? options.controllerPort + 100 * i,
      dataDir: single ? options.dataDir : join(options.dataDir, `node-${i + 1}`),
      logFile: join(options.logDir, `${name}.log`),
      pidFile: options.runDir === undefined ? undefined : join(options.runDir, `${name}.pid`),
    }
  })
}

/** `controller.quorum.voters` of the layout. */
export function quorumVoters(layout: readonly NodeLayout[]): string {
  return layout.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')
}

export function bootstrapOf(layout: readonly NodeLayout[]): string {
  return layout.map((n) => `127.0.0.1:${n.port}`).join(',')
}

/** The `LeaderId` line of `kafka-metadata-quorum describe --status`. */
export function quorumLeader(output: string): number | undefined {
  const match = /^LeaderId:\s*(\d+)/m.exec(output)
  return match ? Number(match[1]) : undefined
}

export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  const layout = clusterLayout(options)
  // once, before the nodes start side by side: three first runs would each download the jars
  const dist = await ensureKafkaDist(options)
  const java = await findJava(options.javaHome)
  ensurePrivateDir(options.dataDir)
  const clusterId = options.nodes === 1 ? undefined : clusterIdFor(options.dataDir)
  const voters = quorumVoters(layout)
  const nodeOptions = (n: NodeLayout): KafkaBrokerOptions => ({
    ...options,
    port: n.port,
    controllerPort: n.controllerPort,
    dataDir: n.dataDir,
    logFile: n.logFile,
    ...(n.pidFile ? { pidFile: n.pidFile } : {}),
    ...(clusterId ? { node: { id: n.id, voters, clusterId, size: options.nodes } } : {}),
  })
  // every node waits for a controller quorum (two of three) before it answers: start them together
  const started = await Promise.allSettled(layout.map((n) => startKafkaBroker(nodeOptions(n))))
  const brokers: (KafkaBroker | undefined)[] = started.map((s) =>
    s.status === 'fulfilled' ? s.value : undefined,
  )
  const failed = started.find((s) => s.status === 'rejected')
  if (failed) {
    await Promise.all(brokers.filter((b) => b !== undefined).map((b) => b.stop()))
    throw failed.reason
  }
  const processes: (ManagedProcess | undefined)[] = brokers.map((b) => b?.process)
  const node = (index: number): NodeLayout => {
    const n = layout[index]
    if (!n) throw new RangeError(`no Kafka node ${index} in a cluster of ${layout.length}`)
    return n
  }
  return {
    bootstrap: bootstrapOf(layout),
    layout,
    process: (index) => processes[index],
    async kill(index) {
      const current = processes[index]
      if (!current?.isAlive()) return
      process.kill(current.pid, 'SIGKILL')
      await current.exited
    },
    async restart(index) {
      if (processes[index]?.isAlive()) throw new Error(`Kafka node ${node(index).id} is still running`)
      const again = await startKafkaBroker({ ...nodeOptions(node(index)), onProgress: () => undefined })
      processes[index] = again.process
      return again.process
    },
    async activeController() {
      // a controller that is still up answers for the quorum; the first that does is enough
      for (const [i, n] of layout.entries()) {
        if (!processes[i]?.isAlive()) continue
        const result = await runCommand(
          java.executable,
          [
            // a short-lived tool: start fast rather than run fast
            '-XX:TieredStopAtLevel=1',
            '-Xmx128m',
            '-cp',
            dist.classpath,
            'org.apache.kafka.tools.MetadataQuorumCommand',
            '--bootstrap-controller',
            `127.0.0.1:${n.controllerPort}`,
            'describe',
            '--status',
          ],
          { timeoutMs: 30_000 },
        )
        const leader = result.code === 0 ? quorumLeader(result.output) : undefined
        const index = layout.findIndex((l) => l.id === leader)
        if (index >= 0) return index
      }
      throw new SretlError('KAFKA_UNAVAILABLE', 'no Kafka controller named a quorum leader')
    },
    async stop() {
      await Promise.all(processes.filter((p) => p !== undefined).map((p) => p.stop(30_000)))
    },
  }
}
