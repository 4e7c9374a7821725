/**
 * PostgreSQL of `sretl up --secure`: the `postgres` certificate from the stack's CA, a private
 * cluster (secure-postgres.ts: ssl on, hostssl … scram-sha-256 for the named logins, reject for
 * the rest), an administrator login for `up` itself (migrations, the components' logins) with a
 * generated password, and the settings that make every connection verify-full against the CA.
 *
 * The cluster belongs to one `sretl up`: it is made at start and dropped when the stack stops;
 * one left by an `up` that was killed is dropped by the next secure start.
 */
import pg from 'pg'
import {
  generatePassword,
  loginName,
  LOGIN_COMPONENTS,
  passwordFile,
  scramVerifier,
  secretsDir,
  writeSecretFile,
} from '../database/db-logins.ts'
import { isPidAlive } from './managed-process.ts'
import { findFreePort } from './ports.ts'
import { listClusters } from './postgres-server.ts'
import { createSecureCluster, dropSecureCluster, type SecureCluster } from './secure-postgres.ts'
import type { PostgresTlsHook } from './secure-stack.ts'

/** `up`'s own login in the private cluster: like the plain stack's `sretl`, CREATEROLE and owner of the database. */
export const SECURE_ADMIN_LOGIN = 'sretl'
const DATABASE = 'sretl'
const CLUSTER_PREFIX = 'sretl_secure_'

export interface SecureDatabaseOptions {
  readonly home: string
  readonly loginPrefix: string
}

export interface SecureDatabase {
  readonly hook: PostgresTlsHook
  /** Stops and drops the private cluster (nothing when it was never made). */
  stop(): Promise<void>
}

export function secureDatabase(options: SecureDatabaseOptions): SecureDatabase {
  let cluster: SecureCluster | undefined
  const hook: PostgresTlsHook = async (tls) => {
    const cert = await tls.issue({ name: 'postgres' })
    const clusters = await listClusters()
    for (const c of clusters) {
      const owner = new RegExp(`^${CLUSTER_PREFIX}(\\d+)$`).exec(c.name)
      if (owner && !isPidAlive(Number(owner[1]))) await dropSecureCluster(c.version, c.name)
    }
    const version = newestVersion(clusters.map((c) => c.version)) ?? '15'
    const port = await findFreePort()
    const names = { prefix: options.loginPrefix }
    cluster = await createSecureCluster({
      version,
      name: `${CLUSTER_PREFIX}${process.pid}`,
      port,
      certFile: cert.certFile,
      keyFile: cert.keyFile,
      databases: [DATABASE],
      logins: [SECURE_ADMIN_LOGIN, ...LOGIN_COMPONENTS.map((c) => loginName(c, names))],
    })
    const file = passwordFile(secretsDir(options.home), SECURE_ADMIN_LOGIN)
    const password = generatePassword()
    writeSecretFile(file, password)
    const login = pg.escapeIdentifier(SECURE_ADMIN_LOGIN)
    await cluster.adminSql(
      `CREATE ROLE ${login} LOGIN CREATEDB CREATEROLE PASSWORD ${pg.escapeLiteral(scramVerifier(password))} IN ROLE pg_monitor`,
    )
    await cluster.adminSql(`CREATE DATABASE ${pg.escapeIdentifier(DATABASE)} OWNER ${login}`)
    const verifyFull = { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: tls.ca.certFile }
    return {
      env: {
        ...verifyFull,
        DATABASE_URL: `postgres://${SECURE_ADMIN_LOGIN}@127.0.0.1:${port}/${DATABASE}`,
        DATABASE_PASSWORD: '',
        DATABASE_PASSWORD_FILE: file,
        DATABASE_LOGINS: 'per-component',
      },
      componentEnv: verifyFull,
    }
  }
  return {
    hook,
    async stop() {
      const made = cluster
      cluster = undefined
      await made?.drop()
    },
  }
}

function newestVersion(versions: readonly string[]): string | undefined {
  return [...versions].sort((a, b) => Number(b) - Number(a))[0]
}
