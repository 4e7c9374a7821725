/**
 * The configuration every process shares: where files go, logging, Kafka and PostgreSQL.
 * Components add their own sections (see each component's config.ts).
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  combineSections,
  defineSection,
  enumVar,
  hostPortListVar,
  intVar,
  jvmSizeVar,
  portVar,
  stringVar,
  urlVar,
  type Env,
} from './config.ts'
import { securitySection } from './security-config.ts'

export const pathsSection = defineSection(
  {
    SRETL_HOME: stringVar(
      'Directory for the local stack’s data, logs and run files. Default: $XDG_DATA_HOME/sretl or ~/.local/share/sretl.',
    ),
    SRETL_CACHE_DIR: stringVar(
      'Directory for downloads reused between runs (Kafka’s jars). Default: $XDG_CACHE_HOME/sretl or ~/.cache/sretl.',
    ),
  },
  (v, env) => {
    const home = resolve(
      v.SRETL_HOME ?? join(env.XDG_DATA_HOME ?? join(userHome(env), '.local/share'), 'sretl'),
    )
    const cache = resolve(
      v.SRETL_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(userHome(env), '.cache'), 'sretl'),
    )
    return { home, cache, logs: join(home, 'logs'), run: join(home, 'run') }
  },
)

export const logSection = defineSection(
  {
    LOG_LEVEL: enumVar(
      'Lowest log level written (JSON lines on stdout).',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
  },
  (v) => ({ level: v.LOG_LEVEL }),
)

export const kafkaSection = defineSection(
  {
    KAFKA_BOOTSTRAP_SERVERS: hostPortListVar(
      'Kafka brokers to connect to, host:port[,host:port…]. Default: 127.0.0.1:$KAFKA_PORT (the local broker).',
    ),
    KAFKA_CLIENT_ID: stringVar('Client id prefix this process uses towards Kafka.', 'sretl'),
    KAFKA_SEND_TIMEOUT_MS: intVar(
      'How long a send may wait for Kafka’s acknowledgement before it counts as failed (the client itself would retry forever while brokers are down).',
      10_000,
      { min: 100, max: 600_000 },
    ),
    KAFKA_REQUEST_TIMEOUT_MS: intVar('Timeout of one request to a broker.', 30_000, {
      min: 100,
      max: 600_000,
    }),
    TOPIC_PREFIX: stringVar('Prefix put before every topic name (e.g. "staging." ); empty by default.', ''),
    SALES_TOPIC_PARTITIONS: intVar('Partitions of sales.events.v1 when it is created.', 6, {
      min: 1,
      max: 1000,
    }),
    KAFKA_REPLICATION_FACTOR: intVar('Replication factor of the topics the pipeline creates.', 1, {
      min: 1,
      max: 10,
    }),
    // the local broker that `sretl up` and the tests start
    KAFKA_VERSION: stringVar('Version of Apache Kafka the local broker runs (from Maven Central).', '4.1.1'),
    KAFKA_PORT: portVar('Client port of the local Kafka broker.', 9092),
    KAFKA_CONTROLLER_PORT: portVar(
      'KRaft controller port of the local broker (not 9093: Alertmanager uses it).',
      9097,
    ),
    KAFKA_HEAP: jvmSizeVar('Java heap of the local broker (-Xmx), e.g. 512m or 1g.', '512m'),
    KAFKA_DATA_DIR: stringVar('Data directory of the local broker. Default: $SRETL_HOME/kafka.'),
    KAFKA_START_TIMEOUT_MS: intVar('How long the local broker may take to become ready.', 90_000, {
      min: 1000,
      max: 600_000,
    }),
    JAVA_HOME: stringVar('Java installation to run the local broker with. Default: `java` on PATH.'),
    MAVEN_CMD: stringVar('Maven command used to fetch Kafka’s jars.', 'mvn'),
  },
  (v, env) => {
    const bootstrapServers = v.KAFKA_BOOTSTRAP_SERVERS ?? [`127.0.0.1:${v.KAFKA_PORT}`]
    const prefix = v.TOPIC_PREFIX ?? ''
    return {
      bootstrapServers,
      clientId: v.KAFKA_CLIENT_ID,
      sendTimeoutMs: v.KAFKA_SEND_TIMEOUT_MS,
      requestTimeoutMs: v.KAFKA_REQUEST_TIMEOUT_MS,
      topicPrefix: prefix,
      salesPartitions: v.SALES_TOPIC_PARTITIONS,
      replicationFactor: v.KAFKA_REPLICATION_FACTOR,
      local: {
        version: v.KAFKA_VERSION,
        port: v.KAFKA_PORT,
        controllerPort: v.KAFKA_CONTROLLER_PORT,
        heap: v.KAFKA_HEAP,
        dataDir: v.KAFKA_DATA_DIR === undefined ? undefined : resolve(v.KAFKA_DATA_DIR),
        startTimeoutMs: v.KAFKA_START_TIMEOUT_MS,
        javaHome: v.JAVA_HOME ?? env.JAVA_HOME,
        mavenCmd: v.MAVEN_CMD,
      },
    }
  },
)

/** The URL `sretl up` uses when DATABASE_URL is not set: the role and database it creates itself. */
export const LOCAL_DATABASE_URL = 'postgres://sretl:sretl@127.0.0.1:5432/sretl'

export const postgresSection = defineSection(
  {
    DATABASE_URL: urlVar(
      `PostgreSQL to use (postgres://user:password@host:port/database). Default: ${LOCAL_DATABASE_URL}, which \`sretl up\` creates on the local server.`,
      ['postgres:', 'postgresql:'],
    ),
    PG_POOL_MAX: intVar('Most connections one process opens to PostgreSQL.', 10, { min: 1, max: 500 }),
    PG_CONNECT_TIMEOUT_MS: intVar('How long a connection attempt to PostgreSQL may take.', 5000, {
      min: 100,
      max: 120_000,
    }),
  },
  (v) => ({
    url: v.DATABASE_URL ?? LOCAL_DATABASE_URL,
    /** True when the user chose the server: then it must answer, nothing is started for them. */
    explicit: v.DATABASE_URL !== undefined,
    poolMax: v.PG_POOL_MAX,
    connectTimeoutMs: v.PG_CONNECT_TIMEOUT_MS,
  }),
)

export const baseSections = {
  paths: pathsSection,
  log: logSection,
  kafka: kafkaSection,
  postgres: postgresSection,
  security: securitySection,
}

export const baseConfigSection = combineSections(baseSections)

export type BaseConfig = ReturnType<typeof baseConfigSection.build>
export type KafkaConfig = BaseConfig['kafka']
export type PostgresConfig = BaseConfig['postgres']
export type PathsConfig = BaseConfig['paths']
export type { SecurityConfig } from './security-config.ts'

function userHome(env: Env): string {
  return env.HOME ?? homedir()
}
