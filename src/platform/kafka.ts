/**
 * Kafka clients on @platformatic/kafka, set up the one way the pipeline uses them: idempotent
 * producer with acks=all and Java-compatible key partitioning, consumers that never autocommit,
 * and sends bounded by a timeout (the client would otherwise retry forever while brokers are down).
 */
import {
  Admin,
  compatibilityPartitioner,
  ConfigResourceTypes,
  Consumer,
  IncrementalAlterConfigOperationTypes,
  ProduceAcks,
  Producer,
  type ConnectionOptions,
  type ConsumerOptions,
  type MessageToProduce,
  type ProduceResult,
} from '@platformatic/kafka'
import { readFileSync } from 'node:fs'
import type { KafkaConfig, KafkaSecurity } from './base-config.ts'
import { errorMessage, SretlError } from './errors.ts'
import { sleep } from './lifecycle.ts'

export type BytesProducer = Producer<Buffer, Buffer, string, string>
export type BytesConsumer = Consumer<Buffer, Buffer, string, string>
export type BytesMessage = MessageToProduce<Buffer, Buffer, string, string>

/** `security` absent means PLAINTEXT (tests and tools that build settings by hand). */
export type ConnectionSettings = Pick<KafkaConfig, 'bootstrapServers' | 'clientId' | 'requestTimeoutMs'> & {
  readonly security?: KafkaSecurity
}

const keepBuffer = (value: Buffer | undefined): Buffer => value ?? Buffer.alloc(0)
const headerString = (value: Buffer | undefined): string => value?.toString('utf8') ?? ''

/**
 * The one place every producer, consumer and admin client of the program gets its connection
 * and security settings from (KAFKA_SECURITY_PROTOCOL and friends).
 */
export function connection(kafka: ConnectionSettings, clientSuffix: string) {
  return {
    clientId: `${kafka.clientId}-${clientSuffix}`,
    bootstrapBrokers: [...kafka.bootstrapServers],
    requestTimeout: kafka.requestTimeoutMs,
    connectTimeout: Math.min(kafka.requestTimeoutMs, 10_000),
    ...securityOptions(kafka.security),
  }
}

export function securityOptions(
  security: KafkaSecurity | undefined,
): Pick<ConnectionOptions, 'tls' | 'sasl'> {
  if (!security || security.protocol === 'PLAINTEXT') return {}
  const out: Pick<ConnectionOptions, 'tls' | 'sasl'> = {}
  if (security.protocol === 'SSL' || security.protocol === 'SASL_SSL') {
    // Node checks the broker's certificate and host name against the CA (never disabled here)
    out.tls = security.caPem === undefined ? {} : { ca: security.caPem }
  }
  if (security.sasl) {
    const { password } = security.sasl
    out.sasl = {
      mechanism: security.sasl.mechanism,
      username: security.sasl.username,
      // read at every authentication, so a rotated password file is used by the next connection
      password: 'file' in password ? () => readPasswordFile(password.file) : password.value,
    }
  }
  return out
}

function readPasswordFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '')
  } catch (err) {
    throw new SretlError(
      'CONFIG_INVALID',
      `KAFKA_SASL_PASSWORD_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
}

export function createProducer(kafka: ConnectionSettings, clientSuffix: string): BytesProducer {
  return new Producer({
    ...connection(kafka, clientSuffix),
    idempotent: true,
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner,
    retryDelay: (_client, _op, attempt) => Math.min(2000, 100 * 2 ** Math.min(attempt, 5)),
    serializers: {
      key: (key?: Buffer) => key,
      value: (value?: Buffer) => value,
      headerKey: (key?: string) => (key === undefined ? undefined : Buffer.from(key)),
      headerValue: (value?: string) => (value === undefined ? undefined : Buffer.from(value)),
    },
  })
}

/**
 * Sends and waits for Kafka's acknowledgement, or fails with KAFKA_SEND_TIMEOUT after
 * `timeoutMs`. A timed-out send may still land later (the client keeps retrying); callers treat
 * it as not acknowledged, and event_id dedupe downstream makes a re-send harmless.
 */
export async function sendWithTimeout(
  producer: BytesProducer,
  messages: BytesMessage[],
  timeoutMs: number,
): Promise<ProduceResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SretlError(
            'KAFKA_SEND_TIMEOUT',
            `Kafka did not acknowledge ${messages.length} message(s) in ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    )
  })
  const send = producer.send({ messages })
  // the losing promise of the race must not surface as an unhandled rejection later
  send.catch(() => undefined)
  try {
    return await Promise.race([send, timeout])
  } catch (err) {
    if (err instanceof SretlError) throw err
    throw new SretlError('KAFKA_UNAVAILABLE', `Kafka send failed: ${errorMessage(err)}`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}

export interface ConsumerSettings {
  readonly groupId: string
  readonly clientSuffix: string
  readonly sessionTimeoutMs?: number
  readonly heartbeatIntervalMs?: number
  readonly maxBytes?: number
  readonly maxWaitTimeMs?: number
  readonly highWaterMark?: number
  /** Static membership: a restarted member with the same id takes its partitions back at once. */
  readonly groupInstanceId?: string
}

/** A group consumer with autocommit off: offsets are committed only by the code that owns them. */
export function createConsumer(kafka: ConnectionSettings, settings: ConsumerSettings): BytesConsumer {
  const options: ConsumerOptions<Buffer, Buffer, string, string> = {
    ...connection(kafka, settings.clientSuffix),
    groupId: settings.groupId,
    autocommit: false,
    sessionTimeout: settings.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: settings.heartbeatIntervalMs ?? 1000,
    rebalanceTimeout: 30_000,
    maxWaitTime: settings.maxWaitTimeMs ?? 500,
    highWaterMark: settings.highWaterMark ?? 1024,
    retries: true,
    retryDelay: 1000,
    deserializers: { key: keepBuffer, value: keepBuffer, headerKey: headerString, headerValue: headerString },
  }
  if (settings.maxBytes !== undefined) options.maxBytes = settings.maxBytes
  if (settings.groupInstanceId !== undefined) options.groupInstanceId = settings.groupInstanceId
  return new Consumer(options)
}

export function createAdmin(kafka: ConnectionSettings, clientSuffix = 'admin'): Admin {
  return new Admin({ ...connection(kafka, clientSuffix), retries: 0 })
}

/**
 * Refuses (GROUP_ACTIVE) while a member of the consumer group runs: offsets and the tables the
 * group maintains may only be rewritten behind its back when nobody of it is there.
 */
export async function assertGroupIdle(admin: Admin, group: string): Promise<void> {
  const groups = await admin.describeGroups({ groups: [group] })
  const members = groups.get(group)?.members.size ?? 0
  if (members > 0) {
    throw new SretlError(
      'GROUP_ACTIVE',
      `${members} lander(s) of group ${group} are running; stop them and try again`,
    )
  }
}

/** One metadata request; true when a broker answered. */
export async function kafkaAnswers(kafka: ConnectionSettings, timeoutMs = 3000): Promise<boolean> {
  const admin = new Admin({
    ...connection(kafka, 'probe'),
    retries: 0,
    connectTimeout: timeoutMs,
    requestTimeout: timeoutMs,
  })
  try {
    const metadata = await admin.metadata({ topics: [] })
    return metadata.brokers.size > 0
  } catch {
    return false
  } finally {
    await admin.close().catch(() => undefined)
  }
}

/** Waits until a broker answers a metadata request, polling; fails with KAFKA_UNAVAILABLE. */
export async function waitForKafka(
  kafka: ConnectionSettings,
  options: { timeoutMs: number; signal?: AbortSignal; isAlive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  while (Date.now() < deadline) {
    if (options.signal?.aborted) break
    if (options.isAlive && !options.isAlive()) break
    if (await kafkaAnswers(kafka, 2000)) return
    await sleep(250, options.signal)
  }
  throw new SretlError(
    'KAFKA_UNAVAILABLE',
    `no Kafka broker answered at ${kafka.bootstrapServers.join(',')} within ${options.timeoutMs} ms`,
  )
}

export interface TopicSpec {
  readonly name: string
  readonly partitions: number
  readonly replicationFactor: number
  readonly configs: Readonly<Record<string, string>>
}

export interface TopicOutcome {
  readonly name: string
  readonly partitions: number
  readonly action: 'created' | 'exists' | 'updated'
}

/**
 * Creates missing topics and brings the configs of existing ones in line. A topic with fewer
 * partitions than wanted is an error, not silently grown: growing moves keys to other partitions.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicOutcome[]> {
  const outcomes: TopicOutcome[] = []
  const existing = new Set(await admin.listTopics())
  for (const spec of specs) {
    if (!existing.has(spec.name)) {
      try {
        await admin.createTopics({
          topics: [spec.name],
          partitions: spec.partitions,
          replicas: spec.replicationFactor,
          configs: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
        })
        outcomes.push({ name: spec.name, partitions: spec.partitions, action: 'created' })
        continue
      } catch (err) {
        // another starter created it between our list and create: carry on as "exists"
        if (!/already exists/i.test(describeError(err))) throw err
      }
    }
    outcomes.push(await reconcileTopic(admin, spec))
  }
  return outcomes
}

async function reconcileTopic(admin: Admin, spec: TopicSpec): Promise<TopicOutcome> {
  const metadata = await admin.metadata({ topics: [spec.name], forceUpdate: true })
  const partitions = metadata.topics.get(spec.name)?.partitionsCount ?? 0
  if (partitions < spec.partitions) {
    throw new SretlError(
      'TOPIC_MISCONFIGURED',
      `topic ${spec.name} has ${partitions} partitions, the pipeline needs ${spec.partitions}; ` +
        `recreate it or set the partition count to ${partitions}`,
    )
  }
  const [described] = await admin.describeConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: spec.name,
        configurationKeys: Object.keys(spec.configs),
      },
    ],
  })
  const current = new Map((described?.configs ?? []).map((c) => [c.name, c.value]))
  const changes = Object.entries(spec.configs).filter(([name, value]) => current.get(name) !== value)
  if (changes.length === 0) return { name: spec.name, partitions, action: 'exists' }
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: spec.name,
        configs: changes.map(([name, value]) => ({
          name,
          value,
          configOperation: IncrementalAlterConfigOperationTypes.SET,
        })),
      },
    ],
  })
  return { name: spec.name, partitions, action: 'updated' }
}

/** Everything an error from the client says, nested errors included, as one searchable string. */
export function describeError(err: unknown): string {
  if (!(err && typeof err === 'object')) return String(err)
  const { message, errors, response } = err as { message?: string; errors?: unknown; response?: unknown }
  return JSON.stringify({ message, errors, response }, (_key, value: unknown) =>
    typeof value === 'bigint'
      ? value.toString()
      : value instanceof Error
        ? { ...value, message: value.message }
        : value,
  )
}
