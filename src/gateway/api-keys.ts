/**
 * API keys of the gateway. The server only ever holds SHA-256 hashes: keys are long random
 * strings, not passwords, so a fast hash is enough to make a leaked configuration useless to
 * an attacker while a lookup stays one hash per request (see docs/decisions/0007).
 *
 * Configuration (GATEWAY_API_KEYS, or a file with GATEWAY_API_KEYS_FILE): one key per line or
 * comma-separated, `#` starts a comment:
 *
 *   <id>:<sha256-hex>[:revoked][:rate=<events per second>]
 *
 * `sretl api-key <id>` makes a new key and prints its line.
 */
import { createHash, randomBytes } from 'node:crypto'
import { TokenBucket } from '../platform/token-bucket.ts'

export interface ApiKeyEntry {
  readonly id: string
  readonly hash: string
  readonly revoked: boolean
  /** Events per second this key may send; undefined = the gateway's default. */
  readonly ratePerSec: number | undefined
}

/** Accepted only when GATEWAY_ALLOW_DEV_KEY is on (the local stack turns it on). */
export const DEV_KEY = 'sretl-dev-key'
export const DEV_KEY_ID = 'dev'

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** A new random key and the configuration line that accepts it. */
export function newApiKey(id: string): { key: string; line: string } {
  const key = `sretl_${randomBytes(32).toString('base64url')}`
  return { key, line: `${id}:${hashKey(key)}` }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Parses the key list; throws an Error naming the bad entry. */
export function parseApiKeys(text: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = []
  const ids = new Set<string>()
  for (const raw of text.split(/[\n,]/)) {
    const item = raw.replace(/#.*$/, '').trim()
    if (item === '') continue
    const [id = '', hash = '', ...flags] = item.split(':').map((p) => p.trim())
    if (!ID.test(id)) throw new Error(`key id "${id}" must be 1–64 letters, digits, . _ -`)
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      throw new Error(`key ${id}: the second part must be the SHA-256 of the key in hex (64 characters)`)
    }
    if (ids.has(id)) throw new Error(`key id ${id} appears twice`)
    ids.add(id)
    let revoked = false
    let ratePerSec: number | undefined
    for (const flag of flags) {
      if (flag === 'revoked') revoked = true
      else if (/^rate=\d+(\.\d+)?$/.test(flag)) ratePerSec = Number(flag.slice(5))
      else throw new Error(`key ${id}: unknown flag "${flag}" (revoked or rate=<events per second>)`)
    }
    entries.push({ id, hash, revoked, ratePerSec })
  }
  return entries
}

export type KeyCheck =
  | { readonly ok: true; readonly id: string; readonly limiter: TokenBucket }
  | { readonly ok: false; readonly code: 'API_KEY_MISSING' | 'API_KEY_UNKNOWN' | 'API_KEY_REVOKED' }

export interface KeyringOptions {
  readonly entries: readonly ApiKeyEntry[]
  readonly defaultRatePerSec: number
  readonly burst: number
  readonly clock: () => number
}

/** The keys the gateway accepts, each with its own rate limiter (one per configured key: bounded). */
export class Keyring {
  readonly #byHash = new Map<string, { entry: ApiKeyEntry; limiter: TokenBucket }>()

  constructor(options: KeyringOptions) {
    for (const entry of options.entries) {
      const ratePerSec = entry.ratePerSec ?? options.defaultRatePerSec
      const burst = Math.max(options.burst, ratePerSec)
      this.#byHash.set(entry.hash, {
        entry,
        limiter: new TokenBucket({ ratePerSec, burst, clock: options.clock }),
      })
    }
  }

  get size(): number {
    return this.#byHash.size
  }

  check(presented: string | undefined): KeyCheck {
    if (presented === undefined || presented === '') return { ok: false, code: 'API_KEY_MISSING' }
    const found = this.#byHash.get(hashKey(presented))
    if (!found) return { ok: false, code: 'API_KEY_UNKNOWN' }
    if (found.entry.revoked) return { ok: false, code: 'API_KEY_REVOKED' }
    return { ok: true, id: found.entry.id, limiter: found.limiter }
  }
}

/** The key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  const header = headers['x-api-key']
  if (typeof header === 'string' && header.trim() !== '') return header.trim()
  const auth = headers.authorization
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (match) return match[1]
  }
  return undefined
}
