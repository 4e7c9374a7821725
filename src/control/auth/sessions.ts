/**
 * Signed-in sessions, in memory (one control instance; a restart signs everyone out). A session
 * id is 32 random bytes in an HttpOnly, SameSite=Strict cookie; each session has its own CSRF
 * token that every state-changing request must carry in a header. Sessions end after an idle
 * time and a maximum age; at most `max` exist, the least recently used ending first.
 */
import { randomBytes } from 'node:crypto'
import type { Principal } from './users.ts'

export interface Session extends Principal {
  readonly id: string
  readonly csrfToken: string
  readonly createdAt: number
  lastSeenAt: number
}

export interface SessionSettings {
  readonly idleMs: number
  readonly maxAgeMs: number
  readonly max: number
}

export const SESSION_COOKIE = 'sretl_session'

export class SessionStore {
  readonly #sessions = new Map<string, Session>()
  readonly #settings: SessionSettings
  readonly #clock: () => number

  constructor(settings: SessionSettings, clock: () => number) {
    this.#settings = settings
    this.#clock = clock
  }

  get size(): number {
    return this.#sessions.size
  }

  create(principal: Principal): Session {
    const now = this.#clock()
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      csrfToken: randomBytes(24).toString('base64url'),
      user: principal.user,
      role: principal.role,
      createdAt: now,
      lastSeenAt: now,
    }
    while (this.#sessions.size >= this.#settings.max) {
      const oldest = this.#sessions.keys().next().value
      if (oldest === undefined) break
      this.#sessions.delete(oldest)
    }
    this.#sessions.set(session.id, session)
    return session
  }

  /** The live session with this id, marked as used now; expired ones are removed. */
  get(id: string): Session | undefined {
    const session = this.#sessions.get(id)
    if (!session) return undefined
    const now = this.#clock()
    if (
      now - session.lastSeenAt > this.#settings.idleMs ||
      now - session.createdAt > this.#settings.maxAgeMs
    ) {
      this.#sessions.delete(id)
      return undefined
    }
    session.lastSeenAt = now
    // re-insert: Map order is then least recently used first
    this.#sessions.delete(id)
    this.#sessions.set(id, session)
    return session
  }

  delete(id: string): void {
    this.#sessions.delete(id)
  }

  /** Seconds until a session created now expires at the latest (the cookie's Max-Age). */
  get cookieMaxAgeSec(): number {
    return Math.floor(this.#settings.maxAgeMs / 1000)
  }
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export function sessionCookie(value: string, maxAgeSec: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSec}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ')
}
