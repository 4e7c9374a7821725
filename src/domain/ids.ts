/**
 * Identifiers of the contract: UUIDv7 event ids (time-ordered, so btree inserts stay local) and
 * pseudonymous customer references (an HMAC of the loyalty id; the raw id never leaves the till).
 */
import { createHmac } from 'node:crypto'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** A UUIDv7 from a Unix time in ms and 10 random bytes (RFC 9562 §5.7). */
export function uuidv7(timeMs: number, random: Uint8Array): string {
  if (random.length < 10) throw new Error('uuidv7 needs 10 random bytes')
  // string building from a byte→hex table: the simulator makes tens of thousands per second
  const t = Math.max(0, Math.floor(timeMs))
  const high = Math.floor(t / 2 ** 16)
  const h = (i: number): string => HEX[random[i] ?? 0] ?? '00'
  return (
    hex32(high) +
    '-' +
    (HEX[(t >>> 8) & 0xff] ?? '00') +
    (HEX[t & 0xff] ?? '00') +
    '-' +
    (HEX[0x70 | ((random[0] ?? 0) & 0x0f)] ?? '70') +
    h(1) +
    '-' +
    (HEX[0x80 | ((random[2] ?? 0) & 0x3f)] ?? '80') +
    h(3) +
    '-' +
    h(4) +
    h(5) +
    h(6) +
    h(7) +
    h(8) +
    h(9)
  )
}

function hex32(n: number): string {
  return (
    (HEX[Math.floor(n / 2 ** 24) & 0xff] ?? '00') +
    (HEX[(n >>> 16) & 0xff] ?? '00') +
    (HEX[(n >>> 8) & 0xff] ?? '00') +
    (HEX[n & 0xff] ?? '00')
  )
}

/** The Unix time in ms a UUIDv7 was made at. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)
}

/** HMAC-SHA256 of a loyalty id with the chain's key, hex: the only customer reference an event carries. */
export function customerRef(loyaltyId: string, key: string): string {
  return createHmac('sha256', key).update(loyaltyId).digest('hex')
}
