/**
 * The dead letters the panel browses: counts per reason (the `error.code` header the lander
 * writes) over the whole topic, and the newest records themselves — at most `maxRecords` and
 * `maxBytes` of them (oldest forgotten first; a record larger than `maxRecordBytes` is held cut
 * short and cannot be replayed), so memory stays bounded however large the topic grows.
 */
import { DLQ_HEADERS } from '../../platform/topics.ts'

/** What a replay adds, so a message going round in circles is visible (docs/api/control.md). */
export const REPLAY_HEADERS = {
  count: 'replay.count',
  of: 'replay.of',
  at: 'replay.at',
  by: 'replay.by',
} as const

export interface DeadLetter {
  readonly partition: number
  readonly offset: bigint
  /** Kafka timestamp of the dead letter, ms. */
  readonly timestamp: number
  readonly key: Buffer
  /** The original bytes (cut at maxRecordBytes when `truncated`). */
  readonly value: Buffer
  readonly size: number
  readonly truncated: boolean
  readonly headers: readonly (readonly [string, string])[]
  readonly reason: string
}

export interface DeadLetterSummary {
  readonly partition: number
  readonly offset: string
  readonly key: string
  readonly reason: string
  readonly message: string
  readonly firstSeen: string | null
  readonly source: string | null
  readonly size: number
  readonly replayCount: number
}

export interface ReasonCount {
  readonly reason: string
  /** Dead letters of this reason read from the topic. */
  readonly count: number
  /** Of them, held for browsing and replay. */
  readonly held: number
  readonly latestAt: string | null
  readonly example: string | null
}

const MAX_REASONS = 64
const OTHER = 'OTHER'

export function header(record: Pick<DeadLetter, 'headers'>, name: string): string | undefined {
  for (const [k, v] of record.headers) if (k === name) return v
  return undefined
}

export function replayCount(record: Pick<DeadLetter, 'headers'>): number {
  const n = Number(header(record, REPLAY_HEADERS.count) ?? '0')
  return Number.isInteger(n) && n > 0 ? n : 0
}

export function positionKey(partition: number, offset: bigint | string): string {
  return `${partition}:${String(offset)}`
}

export function summarizeDeadLetter(r: DeadLetter): DeadLetterSummary {
  const sourceTopic = header(r, DLQ_HEADERS.sourceTopic)
  return {
    partition: r.partition,
    offset: r.offset.toString(),
    key: r.key.toString('utf8'),
    reason: r.reason,
    message: (header(r, DLQ_HEADERS.message) ?? '').slice(0, 300),
    firstSeen: header(r, DLQ_HEADERS.firstSeen) ?? null,
    source: sourceTopic
      ? `${sourceTopic}/${header(r, DLQ_HEADERS.sourcePartition) ?? '?'}/${header(r, DLQ_HEADERS.sourceOffset) ?? '?'}`
      : null,
    size: r.size,
    replayCount: replayCount(r),
  }
}

export class DlqIndex {
  readonly #records = new Map<string, DeadLetter>()
  readonly #counts = new Map<string, { count: number; latest: number; example: string | null }>()
  readonly #maxRecords: number
  readonly #maxBytes: number
  readonly #maxRecordBytes: number
  #bytes = 0
  #total = 0

  constructor(options: { maxRecords: number; maxBytes: number; maxRecordBytes?: number }) {
    this.#maxRecords = options.maxRecords
    this.#maxBytes = options.maxBytes
    this.#maxRecordBytes = Math.min(options.maxRecordBytes ?? 1024 * 1024, options.maxBytes)
  }

  get total(): number {
    return this.#total
  }

  get held(): number {
    return this.#records.size
  }

  get maxRecordBytes(): number {
    return this.#maxRecordBytes
  }

  add(input: Omit<DeadLetter, 'reason' | 'truncated' | 'size'>): void {
    const key = positionKey(input.partition, input.offset)
    if (this.#records.has(key)) return
    const code = header(input, DLQ_HEADERS.code) ?? 'UNKNOWN'
    const reason = this.#counts.has(code) || this.#counts.size < MAX_REASONS ? code : OTHER
    const truncated = input.value.byteLength > this.#maxRecordBytes
    const record: DeadLetter = {
      ...input,
      value: truncated ? Buffer.from(input.value.subarray(0, this.#maxRecordBytes)) : input.value,
      size: input.value.byteLength,
      truncated,
      reason,
    }
    this.#total += 1
    const count = this.#counts.get(reason) ?? { count: 0, latest: 0, example: null }
    count.count += 1
    count.latest = Math.max(count.latest, record.timestamp)
    count.example = (header(record, DLQ_HEADERS.message) ?? count.example ?? '').slice(0, 200) || null
    this.#counts.set(reason, count)
    this.#records.set(key, record)
    this.#bytes += this.#cost(record)
    while (this.#records.size > this.#maxRecords || this.#bytes > this.#maxBytes) {
      const oldest = this.#records.keys().next().value
      if (oldest === undefined) break
      const dropped = this.#records.get(oldest)
      this.#records.delete(oldest)
      if (dropped) this.#bytes -= this.#cost(dropped)
    }
  }

  reasons(): ReasonCount[] {
    const held = new Map<string, number>()
    for (const r of this.#records.values()) held.set(r.reason, (held.get(r.reason) ?? 0) + 1)
    return [...this.#counts.entries()]
      .map(([reason, c]) => ({
        reason,
        count: c.count,
        held: held.get(reason) ?? 0,
        latestAt: c.latest ? new Date(c.latest).toISOString() : null,
        example: c.example,
      }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
  }

  /** Held dead letters, newest first, optionally of one reason. */
  list(reason: string | undefined, limit: number): DeadLetter[] {
    const out: DeadLetter[] = []
    const all = [...this.#records.values()]
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const r = all[i]
      if (r && (reason === undefined || r.reason === reason)) out.push(r)
    }
    return out
  }

  /** Held dead letters of a reason, oldest first (the order a replay sends them). */
  ofReason(reason: string): DeadLetter[] {
    return [...this.#records.values()].filter((r) => r.reason === reason)
  }

  get(partition: number, offset: bigint): DeadLetter | undefined {
    return this.#records.get(positionKey(partition, offset))
  }

  #cost(r: DeadLetter): number {
    let headers = 0
    for (const [k, v] of r.headers) headers += k.length + v.length
    return r.value.byteLength + r.key.byteLength + headers + 200
  }
}

/** A hex dump, 16 bytes a line with the printable characters beside it. */
export function hexDump(bytes: Buffer, maxBytes: number): string {
  const lines: string[] = []
  const end = Math.min(bytes.byteLength, maxBytes)
  for (let at = 0; at < end; at += 16) {
    const chunk = bytes.subarray(at, Math.min(at + 16, end))
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ')
    const text = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${text}|`)
  }
  return lines.join('\n')
}

export function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}
