/**
 * What `sretl up --secure` adds to the local stack: the CA and certificates, Kafka's users and
 * ACLs, and for each component its own Kafka principal, password file and CA file. PostgreSQL's
 * TLS joins through `postgresTls` (a hook: the private PostgreSQL cluster is set up elsewhere).
 */
import { join } from 'node:path'
import type { Admin } from '@platformatic/kafka'
import type { KafkaSecurity, PathsConfig } from '../platform/base-config.ts'
import { topicNames } from '../platform/topics.ts'
import {
  applyAcls,
  clientEnv,
  clientSecurity,
  KAFKA_SERVICE_USERS,
  prepareBrokerSecurity,
  serviceAcls,
  type BrokerSecurity,
  type KafkaServiceUser,
} from './kafka-security.ts'
import {
  ensureServerCertificate,
  type CertificateRequest,
  type IssuedCertificate,
  type LocalCa,
} from './local-ca.ts'

/**
 * PostgreSQL TLS in secure mode: given the CA (and a way to have it issue the server certificate,
 * e.g. `issue({ name: 'postgres' })`), set the server up and return the environment every
 * component gets (e.g. DATABASE_URL with sslmode=verify-full, the PG CA file variable).
 */
export type PostgresTlsHook = (tls: {
  readonly ca: LocalCa
  issue(request: CertificateRequest): Promise<IssuedCertificate>
}) => Promise<{
  /** What `up` and the `sretl` commands connect with (the administrator's URL and password file, TLS). */
  readonly env: Readonly<Record<string, string>>
  /** What every component gets on top of its own login (TLS settings only, never a credential). */
  readonly componentEnv: Readonly<Record<string, string>>
}>

export interface SecureStack {
  readonly kafka: BrokerSecurity
  /** How `sretl up` itself (and the CLI) talks to Kafka: the `tools` super user. */
  readonly toolsSecurity: KafkaSecurity
  /** Extra environment of a component: its Kafka principal, password file and CA, plus PostgreSQL's. */
  componentEnv(component: string): Record<string, string>
  /** PostgreSQL's environment for `up` itself (empty without the TLS hook). */
  readonly postgresEnv: Readonly<Record<string, string>>
  /** The environment for `sretl` commands run by hand against the secure stack. */
  readonly toolsEnv: Readonly<Record<string, string>>
  /** Certificates whose expiry the control service exports (sretl_tls_certificate_expiry_timestamp_seconds). */
  readonly certificateFiles: Readonly<Record<string, string>>
  applyAcls(admin: Admin): Promise<number>
}

export interface SecureStackOptions {
  readonly paths: PathsConfig
  readonly topicPrefix: string
  readonly clientId: string
  readonly landerGroup: string
  readonly postgresTls?: PostgresTlsHook
}

export async function prepareSecureStack(options: SecureStackOptions): Promise<SecureStack> {
  const kafka = await prepareBrokerSecurity({
    tlsDir: join(options.paths.home, 'tls'),
    secretsDir: join(options.paths.home, 'secrets'),
  })
  const certificateFiles: Record<string, string> = {
    ca: kafka.ca.certFile,
    kafka: kafka.certificate.certFile,
  }
  let postgresEnv: Readonly<Record<string, string>> = {}
  let postgresComponentEnv: Readonly<Record<string, string>> = {}
  if (options.postgresTls) {
    const issued: IssuedCertificate[] = []
    const result = await options.postgresTls({
      ca: kafka.ca,
      issue: async (request) => {
        const cert = await ensureServerCertificate(kafka.ca, request)
        issued.push(cert)
        return cert
      },
    })
    postgresEnv = result.env
    postgresComponentEnv = result.componentEnv
    for (const cert of issued) certificateFiles[cert.name] = cert.certFile
  }
  const names = topicNames({ topicPrefix: options.topicPrefix })
  const rules = serviceAcls({
    salesEvents: names.salesEvents,
    salesDlq: names.salesDlq,
    aggregatePrefix: `${options.topicPrefix}agg.`,
    landerGroup: options.landerGroup,
    controlGroupPrefix: `${options.clientId}-control-dlq-`,
  })
  const certificateEnv = {
    CONTROL_TLS_CERTIFICATES: Object.entries(certificateFiles)
      .map(([name, file]) => `${name}=${file}`)
      .join(','),
  }
  return {
    kafka,
    toolsSecurity: clientSecurity(kafka, 'tools'),
    componentEnv(component) {
      const user = KAFKA_SERVICE_USERS.find((u): u is KafkaServiceUser => u === component && u !== 'tools')
      return {
        ...(user ? clientEnv(kafka, user) : {}),
        ...postgresComponentEnv,
        ...(component === 'control' ? certificateEnv : {}),
      }
    },
    postgresEnv,
    toolsEnv: { ...clientEnv(kafka, 'tools'), ...postgresEnv },
    certificateFiles,
    applyAcls: (admin) => applyAcls(admin, rules),
  }
}
