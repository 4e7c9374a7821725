/**
 * Who may use the panel and the API, and as what. Users come from a file, one credential a line:
 *
 *   alice:admin:scrypt$131072$8$1$<salt>$<hash>     a password (scrypt, node:crypto)
 *   ci-bot:operator:sha256$<hex>                     a bearer token (random, so SHA-256 suffices)
 *
 * A user may have several lines (a password and tokens). Secrets are never stored or logged in
 * clear; comparisons are constant-time, and an unknown user costs the same scrypt as a known one.
 */
import {
  createHash,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type BinaryLike,
  type ScryptOptions,
} from 'node:crypto'

export const ROLES = ['viewer', 'operator', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** viewer < operator < admin: each role may do what the ones before it may. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed)
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}

export interface Credential {
  readonly user: string
  readonly role: Role
  readonly kind: 'password' | 'token'
  /** scrypt$N$r$p$salt$hash or sha256$hex */
  readonly hash: string
}

export interface Principal {
  readonly user: string
  readonly role: Role
}

const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/
// N = 2^17 (OWASP's floor for scrypt): 128 MiB and ~0.3 s a hash; maxmem leaves room above that.
// Older lines keep their own N, r, p in the hash and stay verifiable.
const SCRYPT = { N: 131072, r: 8, p: 1, keylen: 32, maxmem: 256 * 1024 * 1024 } as const

/** Parses a users file; throws naming the line of the first problem (never echoing a hash). */
export function parseUsers(text: string): Credential[] {
  const out: Credential[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const [user = '', role = '', hash = '', ...rest] = line.split(':')
    const where = `line ${index + 1}`
    if (rest.length > 0) throw new Error(`${where}: expected <user>:<role>:<hash>`)
    if (!USER_NAME.test(user)) throw new Error(`${where}: user names are 1–64 of A–Z a–z 0–9 . _ @ -`)
    if (!isRole(role)) throw new Error(`${where}: the role must be one of ${ROLES.join(', ')}`)
    if (/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=_-]+\$[A-Za-z0-9+/=_-]+$/.test(hash)) {
      out.push({ user, role, kind: 'password', hash })
    } else if (/^sha256\$[0-9a-f]{64}$/.test(hash)) {
      out.push({ user, role, kind: 'token', hash })
    } else {
      throw new Error(`${where}: the credential must be scrypt$… (a password) or sha256$… (a token)`)
    }
  })
  const roles = new Map<string, Role>()
  for (const c of out) {
    const seen = roles.get(c.user)
    if (seen !== undefined && seen !== c.role) {
      throw new Error(`user ${c.user} is listed with two roles (${seen}, ${c.role}); give it one`)
    }
    roles.set(c.user, c.role)
  }
  return out
}

export function userLine(user: string, role: Role, hash: string): string {
  return `${user}:${role}:${hash}`
}

function scryptAsync(password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: SCRYPT.maxmem,
  })
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = encoded.split('$')
  const expected = Buffer.from(hash ?? '', 'base64url')
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem }
  const key = await scryptAsync(
    password,
    Buffer.from(salt ?? '', 'base64url'),
    expected.length || 32,
    options,
  )
  return expected.length > 0 && timingSafeEqual(key, expected)
}

export function hashToken(token: string): string {
  return `sha256$${createHash('sha256').update(token, 'utf8').digest('hex')}`
}

/** A bearer token: 32 random bytes, prefixed so it is recognisable in a secret scanner. */
export function newToken(): string {
  return `sretl_${randomBytes(32).toString('base64url')}`
}

/** A password for a generated account: 24 random characters. */
export function newPassword(): string {
  return randomBytes(18).toString('base64url')
}

/** The users of a file, with sign-in by password and by bearer token. */
export class UserDirectory {
  readonly #passwords = new Map<string, Credential[]>()
  readonly #tokens = new Map<string, Credential>()
  readonly #dummy: Promise<string>

  constructor(credentials: readonly Credential[]) {
    for (const c of credentials) {
      if (c.kind === 'token') this.#tokens.set(c.hash, c)
      else this.#passwords.set(c.user, [...(this.#passwords.get(c.user) ?? []), c])
    }
    this.#dummy = hashPassword(randomBytes(12).toString('hex'))
  }

  get size(): number {
    return new Set([...this.#passwords.keys(), ...[...this.#tokens.values()].map((c) => c.user)]).size
  }

  /** The principal for a user name and password, or undefined; as slow for unknown users. */
  async login(user: string, password: string): Promise<Principal | undefined> {
    const candidates = this.#passwords.get(user)
    if (!candidates) {
      await verifyPassword(password, await this.#dummy)
      return undefined
    }
    for (const c of candidates) {
      if (await verifyPassword(password, c.hash)) return { user: c.user, role: c.role }
    }
    return undefined
  }

  bearer(token: string): Principal | undefined {
    const c = this.#tokens.get(hashToken(token))
    return c ? { user: c.user, role: c.role } : undefined
  }
}
