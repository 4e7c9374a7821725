/**
 * Rotation of the Kafka SCRAM passwords of secure mode, one service user at a time, while the
 * stack runs. Clients read their password file at every new connection (platform/kafka.ts), and
 * a broker checks a password only when a connection authenticates, so open connections carry on.
 * The order per user is what keeps new connections working: the broker gets the new credential
 * (AlterUserScramCredentials, as the `tools` super user), a fresh connection proves the broker
 * accepts it, and only then is the file replaced by rename — no client ever reads a password the
 * broker does not know yet. In the moment between the broker's change and the rename, a client
 * opening a connection still sends the old password and is refused once; its retry reads the
 * new file.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { alterUserScramCredentialsV0, Connection, ScramMechanisms } from '@platformatic/kafka'
import type { KafkaConfig } from '../platform/base-config.ts'
import { writeSecretFile } from '../database/db-logins.ts'
import { errorMessage, SretlError } from '../platform/errors.ts'
import { securityOptions } from '../platform/kafka.ts'
import { KAFKA_SERVICE_USERS, SCRAM_MECHANISM } from './kafka-security.ts'

/** Kafka's SCRAM-SHA-512 default; the broker refuses fewer than 4096. */
const ITERATIONS = 8192
/** How long the broker may take to apply the committed credential (metadata log → broker cache). */
const ACCEPT_TIMEOUT_MS = 15_000

export interface ScramRotation {
  readonly user: string
  readonly passwordFile: string
}

/**
 * New passwords for the service users; `tools` (whose connection does the rotation) goes last.
 * The broker's own inter-broker user is not rotated here: its password is in the broker's
 * configuration, read at start.
 */
export async function rotateScramPasswords(kafka: KafkaConfig, secretsDir: string): Promise<ScramRotation[]> {
  const security = kafka.security
  if (security?.protocol !== 'SASL_SSL' || !security.sasl) {
    throw new SretlError(
      'CONFIG_INVALID',
      'KAFKA_SECURITY_PROTOCOL: Kafka SCRAM passwords are rotated in secure mode only (SASL_SSL)',
    )
  }
  const [host, port] = splitBroker(kafka.bootstrapServers[0] ?? '')
  const admin = new Connection(`${kafka.clientId}-rotate`, {
    connectTimeout: 10_000,
    requestTimeout: kafka.requestTimeoutMs,
    ...securityOptions(security),
  })
  await admin.connect(host, port)
  const done: ScramRotation[] = []
  try {
    const users = [...KAFKA_SERVICE_USERS.filter((u) => u !== 'tools'), 'tools']
    for (const user of users) {
      const password = randomBytes(24).toString('base64url')
      const salt = randomBytes(32)
      const response = await alterUserScramCredentialsV0.api.async(
        admin,
        [],
        [
          {
            name: user,
            mechanism: ScramMechanisms.SCRAM_SHA_512,
            iterations: ITERATIONS,
            salt,
            saltedPassword: pbkdf2Sync(password, salt, ITERATIONS, 64, 'sha512'),
          },
        ],
      )
      const failed = response.results.find((r) => r.errorCode !== 0)
      if (failed) {
        throw new SretlError(
          'KAFKA_SECURITY_SETUP_FAILED',
          `the broker refused the new SCRAM credential of ${user}: ${failed.errorMessage ?? `error ${failed.errorCode}`}`,
        )
      }
      const refusal = await waitUntilAccepted(kafka, host, port, user, password)
      // the broker committed the new credential: the old password is dead either way, so the file follows
      const passwordFile = join(secretsDir, `kafka-${user}.password`)
      writeSecretFile(passwordFile, password)
      if (refusal !== undefined) {
        throw new SretlError(
          'KAFKA_SECURITY_SETUP_FAILED',
          `the broker took the new SCRAM credential of ${user} but did not accept it within ${ACCEPT_TIMEOUT_MS} ms (${refusal}); ${passwordFile} holds the new one`,
        )
      }
      done.push({ user, passwordFile })
    }
  } finally {
    await admin.close().catch(() => undefined)
  }
  return done
}

async function waitUntilAccepted(
  kafka: KafkaConfig,
  host: string,
  port: number,
  user: string,
  password: string,
): Promise<string | undefined> {
  const deadline = Date.now() + ACCEPT_TIMEOUT_MS
  for (;;) {
    const probe = new Connection(`${kafka.clientId}-rotate-check`, {
      connectTimeout: 10_000,
      ...securityOptions(kafka.security),
      sasl: { mechanism: SCRAM_MECHANISM, username: user, password },
    })
    try {
      await probe.connect(host, port)
      return undefined
    } catch (err) {
      if (Date.now() >= deadline) return `${user}: ${errorMessage(err)}`
      await new Promise((resolve) => setTimeout(resolve, 200))
    } finally {
      await probe.close().catch(() => undefined)
    }
  }
}

function splitBroker(address: string): [string, number] {
  const at = address.lastIndexOf(':')
  const port = Number(address.slice(at + 1))
  if (at <= 0 || !Number.isInteger(port)) {
    throw new SretlError('CONFIG_INVALID', `KAFKA_BOOTSTRAP_SERVERS: "${address}" is not host:port`)
  }
  return [address.slice(0, at), port]
}
