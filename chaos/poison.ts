/**
 * Poison of every kind the lander dead-letters (as test/integration/lander-poison.test.ts names
 * them): not JSON, against the v1 schema, refused by the database (a CHECK, a NUL character), and
 * over the size limit. Each set is distinct, so the dead-letter topic can be counted by source.
 */
import { encodeEvent, makeSaleLine } from '../test/support/events.ts'

export const POISON_KINDS = 5

export function poisonSet(n: number): { key: Buffer; value: Buffer }[] {
  const key = Buffer.from(`S${String(n % 200).padStart(3, '0')}`)
  return [
    Buffer.from(`{"event_id": "not closed ${n}`),
    encodeEvent({ ...makeSaleLine(), currency: 'euro' }),
    encodeEvent(makeSaleLine({ original_receipt_id: `RC-elsewhere-${n}` })),
    encodeEvent(makeSaleLine({ category: 'food\u0000drink' })),
    Buffer.alloc(70 * 1024, `${n}`),
  ].map((value) => ({ key, value }))
}
