/**
 * The per-stack component-admin token: the one credential the command routes of the gateway,
 * simulator and lander accept (POST /pause, /resume, /rate, /maintenance). Only the control
 * service and an admin's `sretl` (who can read the file) hold it.
 *
 * - Made on first run: 32 random bytes, written to a temporary file (0600) and linked into place,
 *   so two processes starting together end up with one token; the directory is 0700.
 * - Compared in constant time: both sides are SHA-256 digests of equal length.
 * - Rotation (`sretl rotate-secrets`) renames a new file over the old one. A component sees the
 *   file change (inode, mtime) at its next command and takes the new token, and the control
 *   service re-reads its copy when a component refuses its token and retries once; so the new
 *   token works at once on both sides and the old one stops working at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { SretlError } from './errors.ts'

export const ADMIN_TOKEN_PREFIX = 'sretl_admin_'

/** Where the token file is: COMPONENT_ADMIN_TOKEN_FILE, else $SRETL_HOME/secrets/component-admin-token. */
export function adminTokenPath(config: {
  readonly paths: { readonly home: string }
  readonly security: { readonly adminTokenFile: string | undefined }
}): string {
  return config.security.adminTokenFile ?? join(config.paths.home, 'secrets', 'component-admin-token')
}

export function newAdminToken(): string {
  return `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
}

/** A directory only its owner may enter (0700), made if missing. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

function writeTemp(path: string, token: string): string {
  ensurePrivateDir(dirname(path))
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(temp, `${token}\n`, { mode: 0o600, flag: 'wx' })
  return temp
}

/** The token in the file, created when the file does not exist yet. */
export function ensureAdminToken(path: string): { token: string; created: boolean } {
  const existing = tryRead(path)
  if (existing !== undefined) return { token: existing, created: false }
  const temp = writeTemp(path, newAdminToken())
  let created = true
  try {
    linkSync(temp, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    created = false
  } finally {
    unlinkSync(temp)
  }
  return { token: readAdminToken(path), created }
}

/** Replaces the token atomically (rename over the old file); returns the new one. */
export function rotateAdminToken(path: string): string {
  const token = newAdminToken()
  renameSync(writeTemp(path, token), path)
  return token
}

export function readAdminToken(path: string): string {
  const token = tryRead(path)
  if (token === undefined) {
    throw new SretlError(
      'CONFIG_INVALID',
      `invalid configuration: COMPONENT_ADMIN_TOKEN_FILE ${path} does not exist or is empty; \`sretl up\` or the first component start creates it`,
    )
  }
  return token
}

function tryRead(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim()
    return text === '' ? undefined : text
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new SretlError(
      'CONFIG_INVALID',
      `invalid configuration: COMPONENT_ADMIN_TOKEN_FILE ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest()

/** Checks presented tokens against the file's, re-reading the file when it changed. */
export class AdminTokenVerifier {
  readonly #path: string
  #digest: Buffer
  #version: string

  constructor(path: string) {
    this.#path = path
    this.#digest = digest(ensureAdminToken(path).token)
    this.#version = this.#fileVersion()
  }

  verify(presented: string | undefined): boolean {
    // a rotation renames a new file into place (new inode, mtime): the old token stops at once.
    // One stat per command; commands are rare and the file is small.
    const version = this.#fileVersion()
    if (version !== this.#version) {
      const token = tryRead(this.#path)
      if (token !== undefined) {
        this.#digest = digest(token)
        this.#version = version
      }
    }
    if (presented === undefined || presented === '') return false
    return timingSafeEqual(digest(presented), this.#digest)
  }

  #fileVersion(): string {
    try {
      const s = statSync(this.#path)
      return `${s.ino}:${s.mtimeMs}:${s.size}`
    } catch {
      return 'missing'
    }
  }
}

/** The token a client (the control service, `sretl`) presents, re-read after a refusal. */
export class AdminTokenHolder {
  readonly #path: string
  #token: string | undefined

  constructor(path: string) {
    this.#path = path
  }

  get path(): string {
    return this.#path
  }

  current(): string {
    this.#token ??= readAdminToken(this.#path)
    return this.#token
  }

  /** Re-reads the file; true when the token changed (worth one retry). */
  reload(): boolean {
    const before = this.#token
    this.#token = tryRead(this.#path)
    return this.#token !== undefined && this.#token !== before
  }
}
