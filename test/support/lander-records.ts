/** Consumed records as the lander holds them, for its unit tests: empty messages, zero times. */
import type { LanderRecord } from '../../src/lander/records.ts'

export function landerRecord(fields: {
  partition?: number
  offset?: bigint
  produceTimeMs?: number
  bytes: number
}): LanderRecord {
  return {
    source: {
      key: Buffer.alloc(0),
      value: Buffer.alloc(0),
      headers: new Map(),
      partition: fields.partition ?? 0,
      offset: fields.offset ?? 0n,
      timestamp: 0n,
    },
    produceTimeMs: fields.produceTimeMs ?? 0,
    seenAtMs: 0,
    bytes: fields.bytes,
  }
}
