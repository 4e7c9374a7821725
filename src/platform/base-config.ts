/**
 * The configuration every process shares: where files go, logging, Kafka and PostgreSQL.
 * Components add their own sections (see each component's config.ts).
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { z } from 'zod'
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
import { SretlError } from './errors.ts'
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

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_SSL', 'SASL_PLAINTEXT'] as const
export const KAFKA_SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const

export const kafkaSection = defineSection(
  {
    KAFKA_BOOTSTRAP_SERVERS: hostPortListVar(
      'Kafka brokers to connect to, host:port[,host:port…]. Default: the local cluster, 127.0.0.1:$KAFKA_PORT (and +100, +200 with KAFKA_LOCAL_BROKERS=3).',
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
    // client security (docs/security.md, "Kafka secure mode"); PLAINTEXT is the plain local stack
    KAFKA_SECURITY_PROTOCOL: enumVar(
      'How clients talk to the brokers: PLAINTEXT, SSL, SASL_SSL or SASL_PLAINTEXT (`sretl up --secure` uses SASL_SSL).',
      KAFKA_SECURITY_PROTOCOLS,
      'PLAINTEXT',
    ),
    KAFKA_SASL_MECHANISM: enumVar(
      'SASL mechanism with SASL_SSL / SASL_PLAINTEXT.',
      KAFKA_SASL_MECHANISMS,
      'SCRAM-SHA-512',
    ),
    KAFKA_SASL_USERNAME: stringVar('SASL user (the Kafka principal) of this process; required with SASL_*.'),
    KAFKA_SASL_PASSWORD: stringVar(
      'SASL password; prefer KAFKA_SASL_PASSWORD_FILE, which is read again at every new connection (a rotated password is picked up without a restart).',
    ),
    KAFKA_SSL_CA_FILE: stringVar(
      'PEM file of the CA that signed the brokers’ certificates, with SSL / SASL_SSL. Unset: the system’s trusted CAs.',
    ),
    TOPIC_PREFIX: stringVar('Prefix put before every topic name (e.g. "staging." ); empty by default.', ''),
    SALES_TOPIC_PARTITIONS: intVar('Partitions of sales.events.v1 when it is created.', 6, {
      min: 1,
      max: 1000,
    }),
    DLQ_RETENTION_DAYS: intVar(
      'Days the dead-letter topic keeps a record (raw event bytes, possibly with a customer_ref): long enough to inspect and replay, short enough that an erasure request is met within a month (docs/data-protection.md). Applied to the topic at every start.',
      30,
      { min: 1, max: 3650 },
    ),
    KAFKA_REPLICATION_FACTOR: intVar(
      'Replication factor of the topics the pipeline creates; min.insync.replicas is the smaller of 2 and it. 0: as many as the local cluster has nodes (1, or 3 with KAFKA_LOCAL_BROKERS=3).',
      0,
      { min: 0, max: 10 },
    ),
    // the local broker that `sretl up` and the tests start
    KAFKA_LOCAL_BROKERS: enumVar(
      'Nodes of the local KRaft cluster `sretl up` starts (`sretl up --brokers 3` sets it): 1, or 3 with replication factor 3, min.insync.replicas=2 and no unclean leader election (ADR 0063). Node i listens on KAFKA_PORT + 100·i and KAFKA_CONTROLLER_PORT + 100·i.',
      ['1', '3'],
      '1',
    ),
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
    const localBrokers: 1 | 3 = v.KAFKA_LOCAL_BROKERS === '3' ? 3 : 1
    const bootstrapServers =
      v.KAFKA_BOOTSTRAP_SERVERS ??
      Array.from({ length: localBrokers }, (_, i) => `127.0.0.1:${v.KAFKA_PORT + 100 * i}`)
    const prefix = v.TOPIC_PREFIX ?? ''
    return {
      bootstrapServers,
      security: kafkaSecurity(v, env),
      clientId: v.KAFKA_CLIENT_ID,
      sendTimeoutMs: v.KAFKA_SEND_TIMEOUT_MS,
      requestTimeoutMs: v.KAFKA_REQUEST_TIMEOUT_MS,
      topicPrefix: prefix,
      salesPartitions: v.SALES_TOPIC_PARTITIONS,
      dlqRetentionDays: v.DLQ_RETENTION_DAYS,
      replicationFactor: v.KAFKA_REPLICATION_FACTOR === 0 ? localBrokers : v.KAFKA_REPLICATION_FACTOR,
      local: {
        brokers: localBrokers,
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

export interface KafkaSecurity {
  readonly protocol: (typeof KAFKA_SECURITY_PROTOCOLS)[number]
  /** PEM of the CA to trust (TLS protocols only); undefined: Node's default CAs. */
  readonly caPem?: string
  readonly sasl?: {
    readonly mechanism: (typeof KAFKA_SASL_MECHANISMS)[number]
    readonly username: string
    /** A fixed password, or the file to read it from at every connection. */
    readonly password: { readonly value: string } | { readonly file: string }
  }
}

function kafkaSecurity(
  v: {
    KAFKA_SECURITY_PROTOCOL: KafkaSecurity['protocol']
    KAFKA_SASL_MECHANISM: (typeof KAFKA_SASL_MECHANISMS)[number]
    KAFKA_SASL_USERNAME?: string | undefined
    KAFKA_SASL_PASSWORD?: string | undefined
    KAFKA_SSL_CA_FILE?: string | undefined
  },
  env: Env,
): KafkaSecurity {
  const protocol = v.KAFKA_SECURITY_PROTOCOL
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const problems: string[] = []
  let caPem: string | undefined
  if (v.KAFKA_SSL_CA_FILE !== undefined) {
    if (!tls)
      problems.push(
        `KAFKA_SSL_CA_FILE: only used with SSL or SASL_SSL, but KAFKA_SECURITY_PROTOCOL is ${protocol}`,
      )
    else {
      try {
        caPem = readFileSync(v.KAFKA_SSL_CA_FILE, 'utf8')
      } catch (err) {
        problems.push(
          `KAFKA_SSL_CA_FILE: cannot read ${v.KAFKA_SSL_CA_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        )
      }
      if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----')) {
        problems.push(`KAFKA_SSL_CA_FILE: ${v.KAFKA_SSL_CA_FILE} holds no PEM certificate`)
      }
    }
  }
  let sasl: KafkaSecurity['sasl']
  if (protocol.startsWith('SASL_')) {
    if (v.KAFKA_SASL_USERNAME === undefined)
      problems.push(`KAFKA_SASL_USERNAME: is required with KAFKA_SECURITY_PROTOCOL=${protocol}`)
    if (v.KAFKA_SASL_PASSWORD === undefined) {
      problems.push(
        `KAFKA_SASL_PASSWORD: is required with KAFKA_SECURITY_PROTOCOL=${protocol} (or KAFKA_SASL_PASSWORD_FILE)`,
      )
    }
    if (v.KAFKA_SASL_USERNAME !== undefined && v.KAFKA_SASL_PASSWORD !== undefined) {
      const file = env.KAFKA_SASL_PASSWORD_FILE?.trim()
      sasl = {
        mechanism: v.KAFKA_SASL_MECHANISM,
        username: v.KAFKA_SASL_USERNAME,
        password: file ? { file } : { value: v.KAFKA_SASL_PASSWORD },
      }
    }
  } else if (v.KAFKA_SASL_USERNAME !== undefined || v.KAFKA_SASL_PASSWORD !== undefined) {
    problems.push(
      `KAFKA_SASL_USERNAME: SASL credentials are set but KAFKA_SECURITY_PROTOCOL is ${protocol}; use SASL_SSL`,
    )
  }
  if (problems.length > 0) {
    throw new SretlError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
      details: { problems },
    })
  }
  return { protocol, ...(caPem === undefined ? {} : { caPem }), ...(sasl ? { sasl } : {}) }
}

/** The URL `sretl up` uses when DATABASE_URL is not set: the role and database it creates itself. */
export const LOCAL_DATABASE_URL = 'postgres://sretl:sretl@127.0.0.1:5432/sretl'

export const postgresSection = defineSection(
  {
    DATABASE_URL: urlVar(
      `PostgreSQL to use (postgres://user:password@host:port/database). Default: ${LOCAL_DATABASE_URL}, which \`sretl up\` creates on the local server.`,
      ['postgres:', 'postgresql:'],
    ),
    DATABASE_PASSWORD: stringVar(
      'Password of the DATABASE_URL user, instead of one in the URL. Give it as DATABASE_PASSWORD_FILE: the file is read again for every new connection, so a rotated password (`sretl` writes these files under $SRETL_HOME/secrets) is picked up without a restart.',
    ),
    DATABASE_SSL_MODE: enumVar(
      'TLS towards PostgreSQL: disable, require (encrypted, server not verified), verify-full (encrypted, certificate checked against DATABASE_SSL_CA_FILE and the host name; what secure mode uses), or url (whatever sslmode DATABASE_URL carries, none = no TLS).',
      ['url', 'disable', 'require', 'verify-full'],
      'url',
    ),
    DATABASE_SSL_CA_FILE: stringVar(
      'PEM file of the certificate authority that signed the PostgreSQL server’s certificate (for verify-full).',
    ),
    DATABASE_LOGINS: enumVar(
      'Which PostgreSQL logins the components of `sretl up` use: per-component (their own least-privilege logins, created by `sretl up` through DATABASE_URL, passwords in $SRETL_HOME/secrets), single (every component uses DATABASE_URL as given), or auto (per-component on the local server sretl up manages, single when DATABASE_URL is set).',
      ['auto', 'single', 'per-component'],
      'auto',
    ),
    DATABASE_LOGIN_PREFIX: z
      .string()
      .trim()
      .regex(
        /^[a-z_][a-z0-9_]{0,40}$/,
        'must be lower-case letters, digits and _ (at most 41), starting with a letter or _',
      )
      .default('sretl_')
      .describe(
        'Prefix of the components’ login names (sretl_ gives sretl_lander, sretl_control, sretl_exporter). Logins are server-wide: give each stack that shares a PostgreSQL server its own prefix.',
      ),
    PG_POOL_MAX: intVar('Most connections one process opens to PostgreSQL.', 10, { min: 1, max: 500 }),
    PG_CONNECT_TIMEOUT_MS: intVar('How long a connection attempt to PostgreSQL may take.', 5000, {
      min: 100,
      max: 120_000,
    }),
  },
  (v, env) => ({
    url: v.DATABASE_URL ?? LOCAL_DATABASE_URL,
    password: v.DATABASE_PASSWORD,
    /** Read again at each new connection (rotation); the value above is its content at start. */
    passwordFile: env.DATABASE_PASSWORD_FILE?.trim() ? resolve(env.DATABASE_PASSWORD_FILE.trim()) : undefined,
    sslMode: v.DATABASE_SSL_MODE,
    sslCaFile: v.DATABASE_SSL_CA_FILE === undefined ? undefined : resolve(v.DATABASE_SSL_CA_FILE),
    loginPrefix: v.DATABASE_LOGIN_PREFIX,
    /** Whether `sretl up` gives each component its own login (ADR 0051). */
    perComponentLogins:
      v.DATABASE_LOGINS === 'per-component' || (v.DATABASE_LOGINS === 'auto' && v.DATABASE_URL === undefined),
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
