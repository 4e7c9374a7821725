/**
 * Identifiers of the contract: UUIDv7 event ids (time-ordered, so btree inserts stay local) and
 * pseudonymous customer references (an HMAC of the loyalty id; the raw id never leaves the till).
 */
import { createHmac } from 'node:crypto'

/** A UUIDv7 from a Unix time in ms and 10 random bytes (RFC 9562 §5.7). */
export function uuidv7(timeMs: number, random: Uint8Array): string {
  if (random.length < 10) throw new Error('uuidv7 needs 10 random bytes')
  const bytes = new Uint8Array(16)
  let t = Math.max(0, Math.floor(timeMs))
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256
    t = Math.floor(t / 256)
  }
  bytes.set(random.subarray(0, 10), 6)
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f)
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f)
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The Unix time in ms a UUIDv7 was made at. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)
}

/** HMAC-SHA256 of a loyalty id with the chain's key, hex: the only customer reference an event carries. */
export function customerRef(loyaltyId: string, key: string): string {
  return createHmac('sha256', key).update(loyaltyId).digest('hex')
}
