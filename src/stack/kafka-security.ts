/**
 * Kafka's secure mode (docs/decisions/0052-kafka-secure-mode.md): a SASL_SSL client listener with
 * SCRAM-SHA-512, one principal per service, the StandardAuthorizer denying whatever no ACL allows,
 * and ACLs giving each principal exactly its topics and groups. The SCRAM users are written into
 * the metadata log when the storage is formatted, with passwords generated into 0600 files.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  AclOperations,
  AclPermissionTypes,
  ResourcePatternTypes,
  ResourceTypes,
  type Acl,
  type AclOperationLabel,
  type Admin,
} from '@platformatic/kafka'
import type { KafkaSecurity } from '../platform/base-config.ts'
import { SretlError } from '../platform/errors.ts'
import {
  ensureLocalCa,
  ensureServerCertificate,
  writeSecret,
  type IssuedCertificate,
  type LocalCa,
} from './local-ca.ts'

/** One principal per process kind; `tools` is the administrator (`sretl up`, the CLI). */
export const KAFKA_SERVICE_USERS = ['gateway', 'simulator', 'lander', 'control', 'tools'] as const
export type KafkaServiceUser = (typeof KAFKA_SERVICE_USERS)[number]
/** The broker's own SASL principal (inter-broker listener). */
export const KAFKA_BROKER_USER = 'broker'
/** The broker's certificate name: its principal on the mutual-TLS controller listener is User:CN=kafka. */
export const KAFKA_CERT_NAME = 'kafka'
export const SCRAM_MECHANISM = 'SCRAM-SHA-512'

export interface KafkaCredential {
  readonly user: string
  readonly passwordFile: string
  readonly password: string
  /** True when this run generated the password (the broker's storage must be new too). */
  readonly created: boolean
}

/** Generated once per user into `<secretsDir>/kafka-<user>.password` (0600, directory 0700). */
export function ensureKafkaCredentials(secretsDir: string): Map<string, KafkaCredential> {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 })
  chmodSync(secretsDir, 0o700)
  const out = new Map<string, KafkaCredential>()
  for (const user of [...KAFKA_SERVICE_USERS, KAFKA_BROKER_USER]) {
    const passwordFile = join(secretsDir, `kafka-${user}.password`)
    let created = false
    if (!existsSync(passwordFile)) {
      // base64url: no quote, backslash or '=' that would need escaping in JAAS or --add-scram
      writeSecret(passwordFile, `${randomBytes(24).toString('base64url')}\n`)
      created = true
    }
    const password = readFileSync(passwordFile, 'utf8').trim()
    if (password.length < 16) {
      throw new SretlError(
        'KAFKA_SECURITY_SETUP_FAILED',
        `${passwordFile} holds a password shorter than 16 characters; remove it to have one generated`,
      )
    }
    out.set(user, { user, passwordFile, password, created })
  }
  return out
}

export interface BrokerSecurity {
  readonly ca: LocalCa
  readonly certificate: IssuedCertificate
  readonly credentials: ReadonlyMap<string, KafkaCredential>
}

/** `kafka.tools.StorageTool format` arguments that create every SCRAM user with the storage. */
export function scramFormatArgs(security: BrokerSecurity): string[] {
  return [...security.credentials.values()].flatMap((c) => [
    '--add-scram',
    `${SCRAM_MECHANISM}=[name=${c.user},password=${c.password}]`,
  ])
}

/**
 * server.properties entries of the secure broker. The client listener is SASL_SSL; the controller
 * listener (loopback only) is SSL with client certificates required, so only a holder of a
 * certificate of this CA reaches it, and its principal is the certificate's subject.
 */
export function secureBrokerProperties(
  security: BrokerSecurity,
  ports: { port: number; controllerPort: number },
  keystoreFile: string,
): Record<string, string> {
  const broker = security.credentials.get(KAFKA_BROKER_USER)
  if (!broker) throw new SretlError('KAFKA_SECURITY_SETUP_FAILED', 'no password for the broker principal')
  return {
    listeners: `SASL_SSL://127.0.0.1:${ports.port},CONTROLLER://127.0.0.1:${ports.controllerPort}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${ports.port}`,
    'listener.security.protocol.map': 'CONTROLLER:SSL,SASL_SSL:SASL_SSL',
    'inter.broker.listener.name': 'SASL_SSL',
    'sasl.enabled.mechanisms': SCRAM_MECHANISM,
    'sasl.mechanism.inter.broker.protocol': SCRAM_MECHANISM,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_BROKER_USER}" password="${broker.password}";`,
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': keystoreFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': security.ca.certFile,
    'listener.name.controller.ssl.client.auth': 'required',
    'ssl.enabled.protocols': 'TLSv1.3,TLSv1.2',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    'super.users': [`User:tools`, `User:${KAFKA_BROKER_USER}`, `User:CN=${KAFKA_CERT_NAME}`].join(';'),
  }
}

/** Kafka's PEM keystore: the PKCS#8 key followed by the certificate chain, in one 0600 file. */
export function writeBrokerKeystore(security: BrokerSecurity, file: string): void {
  writeSecret(
    file,
    [
      readFileSync(security.certificate.keyFile, 'utf8').trim(),
      readFileSync(security.certificate.certFile, 'utf8').trim(),
      readFileSync(security.ca.certFile, 'utf8').trim(),
      '',
    ].join('\n'),
  )
}

/** Client settings of one principal, as the components read them from their environment. */
export function clientSecurity(security: BrokerSecurity, user: string): KafkaSecurity {
  const credential = security.credentials.get(user)
  if (!credential) throw new SretlError('KAFKA_SECURITY_SETUP_FAILED', `no Kafka credential for ${user}`)
  return {
    protocol: 'SASL_SSL',
    caPem: readFileSync(security.ca.certFile, 'utf8'),
    sasl: {
      mechanism: SCRAM_MECHANISM,
      username: user,
      password: { file: credential.passwordFile },
    },
  }
}

/** The environment that makes a component connect as `user` (the password stays in its file). */
export function clientEnv(security: BrokerSecurity, user: string): Record<string, string> {
  const credential = security.credentials.get(user)
  if (!credential) throw new SretlError('KAFKA_SECURITY_SETUP_FAILED', `no Kafka credential for ${user}`)
  return {
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: SCRAM_MECHANISM,
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD_FILE: credential.passwordFile,
    KAFKA_SSL_CA_FILE: security.ca.certFile,
  }
}

// ---- ACLs ----

export interface AclNames {
  readonly salesEvents: string
  readonly salesDlq: string
  /** Prefix shared by the aggregate topics, e.g. `agg.` (with TOPIC_PREFIX before it). */
  readonly aggregatePrefix: string
  readonly landerGroup: string
  /** The control service's dead-letter readers use groups `<clientId>-control-dlq-<random>`. */
  readonly controlGroupPrefix: string
}

export interface AclRule {
  readonly principal: KafkaServiceUser
  readonly resource: 'topic' | 'group' | 'cluster'
  readonly pattern: 'literal' | 'prefixed'
  readonly name: string
  readonly operations: readonly AclOperationLabel[]
}

/** Exactly what each service needs; `tools` is a super user and needs none. */
export function serviceAcls(names: AclNames): AclRule[] {
  const topic = (
    principal: KafkaServiceUser,
    name: string,
    operations: AclOperationLabel[],
    pattern: AclRule['pattern'] = 'literal',
  ): AclRule => ({ principal, resource: 'topic', pattern, name, operations })
  const group = (principal: KafkaServiceUser, name: string, pattern: AclRule['pattern']): AclRule => ({
    principal,
    resource: 'group',
    pattern,
    name,
    operations: ['READ', 'DESCRIBE'],
  })
  // the producers are idempotent (src/platform/kafka.ts): that needs IdempotentWrite on the cluster
  const idempotent = (principal: KafkaServiceUser): AclRule => ({
    principal,
    resource: 'cluster',
    pattern: 'literal',
    name: 'kafka-cluster',
    operations: ['IDEMPOTENT_WRITE'],
  })
  return [
    topic('gateway', names.salesEvents, ['WRITE', 'DESCRIBE']),
    idempotent('gateway'),
    topic('simulator', names.salesEvents, ['WRITE', 'DESCRIBE']),
    idempotent('simulator'),
    topic('lander', names.salesEvents, ['READ', 'DESCRIBE', 'DESCRIBE_CONFIGS']),
    group('lander', names.landerGroup, 'literal'),
    topic('lander', names.salesDlq, ['WRITE', 'DESCRIBE', 'DESCRIBE_CONFIGS']),
    topic('lander', names.aggregatePrefix, ['WRITE', 'DESCRIBE', 'DESCRIBE_CONFIGS'], 'prefixed'),
    idempotent('lander'),
    topic('control', names.salesDlq, ['READ', 'DESCRIBE']),
    group('control', names.controlGroupPrefix, 'prefixed'),
    // replaying a dead letter writes it back to the source topic
    topic('control', names.salesEvents, ['WRITE', 'DESCRIBE']),
    idempotent('control'),
  ]
}

export function toKafkaAcls(rules: readonly AclRule[]): Acl[] {
  const resourceType = {
    topic: ResourceTypes.TOPIC,
    group: ResourceTypes.GROUP,
    cluster: ResourceTypes.CLUSTER,
  }
  return rules.flatMap((rule) =>
    rule.operations.map((operation) => ({
      resourceType: resourceType[rule.resource],
      resourceName: rule.name,
      resourcePatternType:
        rule.pattern === 'literal' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
      principal: `User:${rule.principal}`,
      host: '*',
      operation: AclOperations[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  )
}

/**
 * Creates the ACLs (creating one that exists is a no-op in Kafka), as a super user, and waits
 * until the broker enforces them: the controller commits them first and the broker's authorizer
 * applies them a moment later, and a client arriving in between is refused (for a producer's
 * IdempotentWrite that refusal is not retried).
 */
export async function applyAcls(
  admin: Admin,
  rules: readonly AclRule[],
  timeoutMs = 30_000,
): Promise<number> {
  const acls = toKafkaAcls(rules)
  await admin.createAcls({ creations: acls })
  const key = (a: Acl): string =>
    [
      a.principal,
      a.resourceType,
      a.resourceName,
      a.resourcePatternType,
      a.operation,
      a.permissionType,
      a.host,
    ].join('|')
  const wanted = new Set(acls.map(key))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const described = await admin.describeAcls({
      filter: {
        resourceType: ResourceTypes.ANY,
        resourceName: null,
        resourcePatternType: ResourcePatternTypes.ANY,
        principal: null,
        host: null,
        operation: AclOperations.ANY,
        permissionType: AclPermissionTypes.ANY,
      },
    })
    const seen = new Set(
      described.flatMap((r) =>
        r.acls.map((a) =>
          key({
            ...a,
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            resourcePatternType: r.resourcePatternType,
          }),
        ),
      ),
    )
    if ([...wanted].every((k) => seen.has(k))) return acls.length
    if (Date.now() > deadline) {
      throw new SretlError(
        'KAFKA_SECURITY_SETUP_FAILED',
        `the broker did not show the ACLs within ${timeoutMs} ms`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export interface SecurityPaths {
  /** $SRETL_HOME/tls: the CA and the certificates it issues. */
  readonly tlsDir: string
  /** $SRETL_HOME/secrets: generated passwords. */
  readonly secretsDir: string
  readonly openssl?: string
}

/** The CA (made once), the broker's certificate (renewed 30 days ahead) and every SCRAM password. */
export async function prepareBrokerSecurity(paths: SecurityPaths): Promise<BrokerSecurity> {
  const ca = await ensureLocalCa({ dir: paths.tlsDir, ...(paths.openssl ? { openssl: paths.openssl } : {}) })
  const certificate = await ensureServerCertificate(ca, { name: KAFKA_CERT_NAME }, paths.openssl)
  return { ca, certificate, credentials: ensureKafkaCredentials(paths.secretsDir) }
}
