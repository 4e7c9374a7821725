/**
 * PostgreSQL access on `pg`: pools that act as one of the three database roles, transactions,
 * and the classification of PostgreSQL errors into "retry" and "this row is bad".
 */
import pg from 'pg'
import type { PostgresConfig } from './base-config.ts'
import { errorMessage, SretlError } from './errors.ts'
import type { Logger } from './logger.ts'
import { redactUrl } from './logger.ts'

export type Pool = pg.Pool
export type PoolClient = pg.PoolClient

/** The database roles (created by migration 0001). A pool acts as one of them. */
export type DbRole = 'sretl_owner' | 'sretl_writer' | 'sretl_reader'

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
  postgres: Pick<PostgresConfig, 'url' | 'poolMax' | 'connectTimeoutMs'>,
  options: PoolOptions,
): Pool {
  const startupOptions: string[] = []
  if (options.role) startupOptions.push(`-c role=${options.role}`)
  if (options.statementTimeoutMs) startupOptions.push(`-c statement_timeout=${options.statementTimeoutMs}`)
  if (options.idleInTransactionTimeoutMs) {
    startupOptions.push(`-c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs}`)
  }
  const pool = new pg.Pool({
    connectionString: postgres.url,
    max: options.max ?? postgres.poolMax,
    connectionTimeoutMillis: postgres.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName,
    ...(startupOptions.length > 0 ? { options: startupOptions.join(' ') } : {}),
  })
  // an idle connection that the server drops must not crash the process: the next checkout reconnects
  pool.on('error', (err) => {
    options.logger?.warn({ err: errorMessage(err) }, 'idle PostgreSQL connection failed')
  })
  // nor may a checked-out connection that fails between two queries (the server restarts while
  // a caller holds it): the caller's next query fails and it decides what to do
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      options.logger?.warn({ err: errorMessage(err) }, 'PostgreSQL connection failed')
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
export async function checkPostgres(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
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
  if (['22', '23'].includes(cls)) return 'row'
  return 'fatal'
}
