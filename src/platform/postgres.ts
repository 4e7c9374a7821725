/**
 * PostgreSQL access on `pg`: pools that act as one of the three database roles, transactions,
 * and the classification of PostgreSQL errors into "retry" and "this row is bad".
 */
import { readFileSync } from 'node:fs'
import pg from 'pg'
import type { PostgresConfig } from './base-config.ts'
import { errorMessage, SretlError } from './errors.ts'
import type { Logger } from './logger.ts'
import { redactUrl } from './logger.ts'

export type Pool = pg.Pool
export type PoolClient = pg.PoolClient

/**
 * The database roles a pool may act as: owner, writer and reader (migration 0001) and the
 * narrower roles of the components' own logins (migration 0008, ADR 0051).
 */
export type DbRole =
  | 'sretl_owner'
  | 'sretl_writer'
  | 'sretl_reader'
  | 'sretl_landing'
  | 'sretl_maintainer'
  | 'sretl_auditor'
  | 'sretl_monitor'

/** Where and how to connect: the URL plus the password file and TLS settings of the config. */
export type ConnectionSettings = Pick<PostgresConfig, 'url'> &
  Partial<Pick<PostgresConfig, 'password' | 'passwordFile' | 'sslMode' | 'sslCaFile'>>

/**
 * The one place every pg pool and client of the program gets its connection settings: the URL,
 * the password (read again from DATABASE_PASSWORD_FILE at every new connection, so a rotated
 * password needs no restart) and TLS (DATABASE_SSL_MODE, DATABASE_SSL_CA_FILE).
 */
export function connectionConfig(settings: ConnectionSettings): pg.ClientConfig {
  const mode = settings.sslMode ?? 'url'
  const file = settings.passwordFile
  if (mode === 'url' && !file && settings.password === undefined) {
    // as before: the URL says everything (pg reads its sslmode itself)
    return { connectionString: settings.url }
  }
  // pg lets a connection string's fields override the config's (its password too, even when the
  // URL has none), so the URL is taken apart here and TLS and the password are set on their own
  const url = new URL(settings.url)
  const config: pg.ClientConfig = {
    host: url.searchParams.get('host') ?? url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    user: decodeURIComponent(url.username) || undefined,
  }
  const effective = mode === 'url' ? urlSslMode(url) : mode
  if (effective === 'require') config.ssl = { rejectUnauthorized: false }
  if (effective === 'verify-full') {
    const caFile = mode === 'url' ? (url.searchParams.get('sslrootcert') ?? undefined) : settings.sslCaFile
    if (!caFile) {
      throw new SretlError(
        'CONFIG_INVALID',
        'invalid configuration: DATABASE_SSL_CA_FILE: is required when DATABASE_SSL_MODE=verify-full',
      )
    }
    // Node checks the host name (or IP address) against the certificate when it verifies it
    config.ssl = { ca: readSecretFile('DATABASE_SSL_CA_FILE', caFile), rejectUnauthorized: true }
  }
  if (file) {
    config.password = () => readSecretFile('DATABASE_PASSWORD_FILE', file).replace(/\r?\n$/, '')
  } else if (settings.password !== undefined) {
    config.password = settings.password
  } else if (url.password) {
    config.password = decodeURIComponent(url.password)
  }
  return config
}

/** The URL's own sslmode in the three modes this program knows (libpq's names). */
function urlSslMode(url: URL): 'disable' | 'require' | 'verify-full' {
  const mode = url.searchParams.get('sslmode')
  if (mode === 'verify-full' || mode === 'verify-ca') return 'verify-full'
  if (mode === 'require' || mode === 'no-verify') return 'require'
  return 'disable'
}

function readSecretFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new SretlError(
      'CONFIG_INVALID',
      `invalid configuration: ${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
}

/** A single client (migrations, one-off checks) with the same connection settings as the pools. */
export function createClient(
  settings: ConnectionSettings,
  options: { applicationName?: string; connectTimeoutMs?: number; role?: DbRole } = {},
): pg.Client {
  return new pg.Client({
    ...connectionConfig(settings),
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
    ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
  })
}

export interface PoolOptions {
  readonly applicationName: string
  /** Role the sessions switch to (`SET ROLE` at connect); the login user must be a member. */
  readonly role?: DbRole
  readonly max?: number
  readonly statementTimeoutMs?: number
  /** The server ends a session idle this long inside a transaction (fencing a stalled writer). */
  readonly idleInTransactionTimeoutMs?: number
  readonly logger?: Logger
}

export function createPool(
  postgres: ConnectionSettings & Pick<PostgresConfig, 'poolMax' | 'connectTimeoutMs'>,
  options: PoolOptions,
): Pool {
  const startupOptions: string[] = []
  if (options.role) startupOptions.push(`-c role=${options.role}`)
  if (options.statementTimeoutMs) startupOptions.push(`-c statement_timeout=${options.statementTimeoutMs}`)
  if (options.idleInTransactionTimeoutMs) {
    startupOptions.push(`-c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs}`)
  }
  const pool = new pg.Pool({
    ...connectionConfig(postgres),
    max: options.max ?? postgres.poolMax,
    connectionTimeoutMillis: postgres.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName,
    ...(startupOptions.length > 0 ? { options: startupOptions.join(' ') } : {}),
  })
  // an idle connection that the server drops must not crash the process: the next checkout reconnects
  pool.on('error', (err) => {
    options.logger?.warn({ err }, 'idle PostgreSQL connection failed')
  })
  // nor may a checked-out connection that fails between two queries (the server restarts while
  // a caller holds it): the caller's next query fails and it decides what to do
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      options.logger?.warn({ err }, 'PostgreSQL connection failed')
    })
  })
  return pool
}

/** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch {
      broken = true
    }
    throw err
  } finally {
    client.release(broken)
  }
}

/** Checks that PostgreSQL answers at `url`; throws PG_UNREACHABLE saying why not. */
export async function checkPostgres(target: string | ConnectionSettings, timeoutMs: number): Promise<void> {
  const settings = typeof target === 'string' ? { url: target } : target
  const url = settings.url
  const client = createClient(settings, { connectTimeoutMs: timeoutMs })
  try {
    await client.connect()
    await client.query('SELECT 1')
  } catch (err) {
    throw new SretlError(
      'PG_UNREACHABLE',
      `PostgreSQL at ${redactUrl(url)} did not answer: ${describePgError(err)}`,
      {
        cause: err,
        details: { sqlState: sqlState(err) },
      },
    )
  } finally {
    await client.end().catch(() => undefined)
  }
}

export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

export function describePgError(err: unknown): string {
  const message = errorMessage(err)
  const errno = (err as { code?: string } | null)?.code
  if (errno === 'ECONNREFUSED') return 'connection refused (is the server running?)'
  if (message === '' && errno) return errno
  return message
}

export type PgErrorKind = 'retryable' | 'row' | 'fatal'

/**
 * What a PostgreSQL error means for the caller:
 * - retryable: the connection or the server's state (lost connection, shutdown, serialization
 *   failure, deadlock, too many connections) — retry the same work;
 * - row: the data (a constraint, a value out of range, bad text) — isolate and dead-letter the row;
 * - fatal: anything else (missing table, permission) — stop and report.
 */
export function classifyPgError(err: unknown): PgErrorKind {
  const state = sqlState(err)
  if (state === undefined) {
    // no SQLSTATE: a socket or client-side error (ECONNRESET, timeout, connection terminated)
    return 'retryable'
  }
  const cls = state.slice(0, 2)
  if (['08', '40', '53', '57', '58'].includes(cls)) return 'retryable'
  if (state === '55P03') return 'retryable' // lock_not_available
  // read_only_sql_transaction: a database made read-only (disk full, a standby after failover)
  // becomes writable again without the lander doing anything; retrying is right, stopping is not
  if (state === '25006') return 'retryable'
  if (['22', '23'].includes(cls)) return 'row'
  return 'fatal'
}

/**
 * DROP DATABASE … WITH (FORCE), retried for a few seconds: a role that is not a superuser may not
 * terminate an autovacuum worker that happens to be in the database (42501), and a backend may
 * still be closing (55006). Both pass on their own.
 */
export async function dropDatabaseForced(
  query: (sql: string) => Promise<unknown>,
  name: string,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
      return
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (attempt >= 40 || (code !== '42501' && code !== '55006')) throw err
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}
