/**
 * JSON-lines logging (pino). One root logger per process, one child per component; messages
 * are constant strings and the variable parts go in fields beside them.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export interface LoggerOptions {
  readonly level: string
  /** Where lines go; stdout by default (containers collect it). */
  readonly destination?: DestinationStream
}

/** Fields that must never reach a log line, wherever they appear in a logged object. */
const redactPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  // the pseudonymous customer reference (docs/data-protection.md): never in a log, even in an event logged whole
  'customer_ref',
  '*.customer_ref',
]

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  )
}

/** A logger that drops everything, for tests and for commands that print for humans instead. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

/** A connection string with its password replaced, safe to log or print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '[unparseable url]'
  }
}
