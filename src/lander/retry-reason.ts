/** How the lander classifies a failure it retries: the metric's reason, and whether it is transient. */
import { isSretlError } from '../platform/errors.ts'
import { classifyPgError, sqlState } from '../platform/postgres.ts'
import type { RetryReason } from './metrics.ts'

export function retryReason(err: unknown): RetryReason {
  if (isSretlError(err)) return err.code.startsWith('KAFKA') ? 'kafka' : 'other'
  const state = sqlState(err)
  const kind = classifyPgError(err)
  if (kind === 'retryable') {
    return state !== undefined && (state.startsWith('40') || state === '55P03')
      ? 'pg_conflict'
      : 'pg_unavailable'
  }
  return state === undefined ? 'other' : 'pg_error'
}

export function isRetryableFailure(err: unknown): boolean {
  if (isSretlError(err)) return err.retryable
  return classifyPgError(err) === 'retryable'
}
