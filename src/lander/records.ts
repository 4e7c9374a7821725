/**
 * What the lander keeps of one Kafka record: where it came from, its original bytes (for the
 * dead-letter topic), and either the validated event with its COPY line or the reason it is
 * refused. Decoding happens as records arrive, so validation and encoding overlap with the
 * landing of the previous batch.
 */
import { decodeSaleLine, type ValidationIssue } from '../domain/sale-line-validator.ts'
import type { SaleLine } from '../domain/sale-line.ts'
import { copyLine, malformedTextField } from './copy-encoder.ts'

/** The part of a consumed Kafka message the lander reads. */
export interface SourceMessage {
  readonly key: Buffer
  readonly value: Buffer
  readonly headers: ReadonlyMap<string, string>
  readonly partition: number
  readonly offset: bigint
  /** Kafka record timestamp (producer create time), ms since the epoch. */
  readonly timestamp: bigint
}

export type RejectionCode =
  'EVENT_TOO_LARGE' | 'EVENT_NOT_JSON' | 'EVENT_SCHEMA_INVALID' | 'EVENT_RULE_VIOLATED' | 'EVENT_DB_REJECTED'

export interface Rejection {
  readonly code: RejectionCode
  readonly message: string
}

export interface LanderRecord {
  readonly source: SourceMessage
  readonly produceTimeMs: number
  /** When this lander first read it (first.seen of a dead letter), ms since the epoch. */
  readonly seenAtMs: number
  readonly bytes: number
  /** Why it is refused; absent for a valid event. */
  readonly rejection?: Rejection
  /** The validated event; absent when refused. */
  readonly event?: SaleLine
  readonly eventTimeMs?: number
  /** The row in COPY text format, newline included. */
  readonly line?: string
  /** The event_id: the dedupe key (the event_ids ledger, ADR 0061). */
  readonly key?: string
}

/** A record holding a valid event (one object per record: it is also what hooks receive). */
export interface ValidRecord extends LanderRecord {
  readonly event: SaleLine
  readonly eventTimeMs: number
  readonly line: string
  readonly key: string
}

export function isValid(record: LanderRecord): record is ValidRecord {
  return record.event !== undefined
}

/** Longest error.message a dead letter carries. */
export const MAX_REASON_CHARS = 1000

export function describeIssues(issues: readonly ValidationIssue[]): string {
  return truncate(issues.map((i) => (i.field === '' ? i.reason : `${i.field} ${i.reason}`)).join('; '))
}

export function truncate(text: string, max = MAX_REASON_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

export function decodeRecord(source: SourceMessage, seenAtMs: number): LanderRecord {
  const produceTimeMs = Number(source.timestamp)
  const bytes = source.value.byteLength
  const result = decodeSaleLine(source.value)
  if (!result.ok) {
    return {
      source,
      produceTimeMs,
      seenAtMs,
      bytes,
      rejection: { code: result.code, message: describeIssues(result.issues) },
    }
  }
  const event = result.event
  const malformed = malformedTextField(event)
  if (malformed !== undefined) {
    return {
      source,
      produceTimeMs,
      seenAtMs,
      bytes,
      rejection: {
        code: 'EVENT_DB_REJECTED',
        message: `/${malformed} is not valid Unicode text (a lone surrogate); PostgreSQL cannot store it unchanged`,
      },
    }
  }
  const eventTimeMs = Date.parse(event.event_time)
  return {
    source,
    produceTimeMs,
    seenAtMs,
    bytes,
    event,
    eventTimeMs,
    line: copyLine(event),
    key: event.event_id,
  }
}
