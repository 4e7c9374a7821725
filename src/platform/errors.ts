/**
 * Errors the program reports on purpose: a SretlError carries a code of the catalogue
 * (error-catalogue.ts), whether a retry can help, and the HTTP status it answers a request with.
 */
import { errorCatalogue, type ErrorCode } from './error-catalogue.ts'

export { errorCatalogue, httpStatus, type ErrorCode } from './error-catalogue.ts'

export interface SretlErrorOptions {
  readonly cause?: unknown
  readonly details?: Readonly<Record<string, unknown>>
  /** Overrides the catalogue's flag where the situation knows better (e.g. a pg error class). */
  readonly retryable?: boolean
}

export class SretlError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: ErrorCode, message: string, options: SretlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SretlError'
    this.code = code
    this.retryable = options.retryable ?? errorCatalogue[code].retryable
    this.details = options.details ?? {}
  }
}

export function isSretlError(err: unknown): err is SretlError {
  return err instanceof SretlError
}

export function isRetryable(err: unknown): boolean {
  return isSretlError(err) && err.retryable
}

/** The message of anything thrown, for logs and one-line CLI errors. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

/** A code read from another process's answer, if the catalogue knows it. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCatalogue, code)
}
