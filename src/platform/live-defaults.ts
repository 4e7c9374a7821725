/**
 * No live defaults outside a dev mode. The plain local stack keeps its convenient defaults (the
 * gateway's `sretl-dev-key`, the simulator's loyalty HMAC key, the database password `sretl`)
 * but says so at start; a process that listens on a non-loopback address, runs with
 * NODE_ENV=production or in secure mode (SRETL_SECURE) refuses to start while any of them is
 * in use, naming the variable. Every component runs this one check (component-runner.ts).
 */
import { isIP } from 'node:net'
import { SretlError } from './errors.ts'
import type { Logger } from './logger.ts'
import type { SecurityConfig } from './security-config.ts'

export interface LiveDefault {
  /** The variable to set to replace it. */
  readonly variable: string
  /** What the well-known value is, in plain words. */
  readonly what: string
}

/** True for an address only this machine reaches. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

/** The database password `sretl` of the local default URL, when the URL still carries it. */
export function databasePasswordDefault(url: string): LiveDefault | undefined {
  try {
    return decodeURIComponent(new URL(url).password) === 'sretl'
      ? { variable: 'DATABASE_URL', what: 'the database password "sretl"' }
      : undefined
  } catch {
    return undefined
  }
}

/** Why well-known values are not allowed here, or undefined in dev mode. */
export function strictReason(security: SecurityConfig, bindHost: string | undefined): string | undefined {
  if (security.secure) return 'secure mode (SRETL_SECURE=true)'
  if (security.production) return 'NODE_ENV=production'
  if (bindHost !== undefined && !isLoopback(bindHost))
    return `listening on ${bindHost}, not a loopback address`
  return undefined
}

/** Throws CONFIG_INVALID naming every well-known value in strict mode; in dev mode, warns once. */
export function enforceNoLiveDefaults(options: {
  readonly security: SecurityConfig
  readonly bindHost: string | undefined
  readonly defaults: readonly (LiveDefault | undefined)[]
  readonly logger: Logger
}): void {
  const live = options.defaults.filter((d): d is LiveDefault => d !== undefined)
  if (live.length === 0) return
  const reason = strictReason(options.security, options.bindHost)
  const list = live.map((d) => `${d.variable} (${d.what})`).join(', ')
  if (reason !== undefined) {
    throw new SretlError(
      'LIVE_DEFAULT_REFUSED',
      `refusing to start with well-known secrets in ${reason}: set ${list}`,
      { details: { variables: live.map((d) => d.variable) } },
    )
  }
  options.logger.warn(
    { variables: live.map((d) => d.variable) },
    `development defaults are live (fine on a laptop, never elsewhere): ${list}`,
  )
}
