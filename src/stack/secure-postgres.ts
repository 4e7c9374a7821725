/**
 * A private PostgreSQL cluster for the secure mode of the local stack (ADR 0051): TLS on with the
 * certificate it is given, SCRAM-SHA-256 passwords, and a pg_hba.conf that lets the named logins
 * in over TLS from 127.0.0.1 only and rejects everything else. It is a cluster of its own (Debian's
 * pg_createcluster, as root) so that the shared system cluster is never reconfigured. The same
 * settings, for a server the project does not own, are in docs/security.md.
 */
import { chmodSync, chownSync, copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { userInfo } from 'node:os'
import { SretlError } from '../platform/errors.ts'
import { listClusters } from './postgres-server.ts'
import { runCommand } from './run-command.ts'

export interface SecureClusterOptions {
  readonly version: string
  readonly name: string
  readonly port: number
  /** PEM certificate (with its chain) and key of the server; copied into the cluster, owned by postgres. */
  readonly certFile: string
  readonly keyFile: string
  /** The databases and logins `hostssl` admits (scram-sha-256); every other connection is rejected. */
  readonly databases: readonly string[]
  readonly logins: readonly string[]
}

export interface SecureCluster {
  readonly version: string
  readonly name: string
  readonly port: number
  /** Runs SQL as the postgres superuser over the local socket (peer), the only admin door. */
  adminSql(sql: string, database?: string): Promise<string>
  /** Stops and deletes the cluster with its data. */
  drop(): Promise<void>
}

/** The server settings of secure mode (postgresql.conf). */
export function secureServerSettings(certFile: string, keyFile: string): Record<string, string> {
  return {
    listen_addresses: '127.0.0.1',
    ssl: 'on',
    ssl_cert_file: certFile,
    ssl_key_file: keyFile,
    ssl_min_protocol_version: 'TLSv1.2',
    password_encryption: 'scram-sha-256',
  }
}

/** pg_hba.conf of secure mode: first match wins, so the reject lines close every other door. */
export function secureHba(databases: readonly string[], logins: readonly string[]): string {
  const list = (names: readonly string[]): string => names.map((n) => `"${n.replaceAll('"', '')}"`).join(',')
  return [
    '# stream-retail-etl secure mode (docs/security.md): TLS + SCRAM for the named logins, nothing else',
    '# TYPE    DATABASE  USER      ADDRESS        METHOD',
    'local     all       postgres                 peer',
    `hostssl   ${list(databases)}  ${list(logins)}  127.0.0.1/32   scram-sha-256`,
    'hostnossl all       all       all            reject',
    'host      all       all       0.0.0.0/0      reject',
    'host      all       all       ::/0           reject',
    '',
  ].join('\n')
}

/** Creates (or replaces) and starts the private cluster. Needs root, like the rest of the local bootstrap. */
export async function createSecureCluster(options: SecureClusterOptions): Promise<SecureCluster> {
  if (userInfo().uid !== 0) {
    throw new SretlError(
      'PG_BOOTSTRAP_FAILED',
      `a private PostgreSQL cluster for secure mode is created as root (pg_createcluster ${options.version} ${options.name} -p ${options.port})`,
    )
  }
  const { version, name, port } = options
  if ((await listClusters()).some((c) => c.version === version && c.name === name)) {
    await dropSecureCluster(version, name)
  }
  const create = await runCommand('pg_createcluster', [version, name, '-p', String(port)], {
    timeoutMs: 120_000,
  })
  if (create.code !== 0) {
    throw new SretlError('PG_BOOTSTRAP_FAILED', `pg_createcluster failed: ${create.output.trim()}`)
  }
  const confDir = `/etc/postgresql/${version}/${name}`
  const postgres = await postgresIds()
  const cert = join(confDir, 'server.crt')
  const key = join(confDir, 'server.key')
  copyFileSync(options.certFile, cert)
  copyFileSync(options.keyFile, key)
  chownSync(cert, postgres.uid, postgres.gid)
  chownSync(key, postgres.uid, postgres.gid)
  chmodSync(key, 0o600)
  const settings = secureServerSettings(cert, key)
  writeFileSync(
    join(confDir, 'conf.d', 'sretl-secure.conf'),
    Object.entries(settings)
      .map(([k, v]) => `${k} = '${v}'`)
      .join('\n') + '\n',
  )
  writeFileSync(join(confDir, 'pg_hba.conf'), secureHba(options.databases, options.logins))
  chownSync(join(confDir, 'pg_hba.conf'), postgres.uid, postgres.gid)
  const start = await runCommand('pg_ctlcluster', [version, name, 'start'], { timeoutMs: 120_000 })
  if (start.code !== 0) {
    await dropSecureCluster(version, name)
    throw new SretlError(
      'PG_BOOTSTRAP_FAILED',
      `pg_ctlcluster ${version} ${name} start failed: ${start.output.trim()}`,
    )
  }
  return {
    version,
    name,
    port,
    async adminSql(sql, database = 'postgres') {
      const result = await runCommand(
        'runuser',
        [
          '-u',
          'postgres',
          '--',
          'psql',
          '-p',
          String(port),
          '-d',
          database,
          '-v',
          'ON_ERROR_STOP=1',
          '-tAc',
          sql,
        ],
        { timeoutMs: 60_000 },
      )
      if (result.code !== 0)
        throw new SretlError('PG_BOOTSTRAP_FAILED', `psql failed: ${result.output.trim()}`)
      return result.output
    },
    drop: () => dropSecureCluster(version, name),
  }
}

export async function dropSecureCluster(version: string, name: string): Promise<void> {
  const result = await runCommand('pg_dropcluster', ['--stop', version, name], { timeoutMs: 120_000 })
  if (result.code !== 0 && (await listClusters()).some((c) => c.version === version && c.name === name)) {
    throw new SretlError(
      'PG_BOOTSTRAP_FAILED',
      `pg_dropcluster --stop ${version} ${name} failed: ${result.output.trim()}`,
    )
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const result = await runCommand('id', ['-u', 'postgres'], { timeoutMs: 10_000 })
  const group = await runCommand('id', ['-g', 'postgres'], { timeoutMs: 10_000 })
  const uid = Number(result.output.trim())
  const gid = Number(group.output.trim())
  if (result.code !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new SretlError('PG_BOOTSTRAP_FAILED', 'there is no postgres system user to own the cluster’s files')
  }
  return { uid, gid }
}
