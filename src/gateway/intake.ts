/**
 * From a request body to events: one JSON event, a JSON array of events, or NDJSON (one event
 * per line). Every event is validated on its own; a valid one becomes the compact JSON that goes
 * to Kafka, an invalid one a rejection naming its index, field and reason. Nothing here throws
 * for bad input, whatever the bytes: the worst a body can do is be rejected.
 */
import { decodeSaleLine, validateSaleLine, type ValidationIssue } from '../domain/sale-line-validator.ts'
import { LIMITS, type SaleLine } from '../domain/sale-line.ts'
import type { ErrorCode } from '../platform/errors.ts'

export interface AcceptedEvent {
  readonly index: number
  readonly event: SaleLine
  readonly value: Buffer
}

export interface Rejection {
  /** 0-based position of the event in the request. */
  readonly index: number
  /** NDJSON: 1-based line of the body. */
  readonly line?: number
  readonly eventId?: string
  readonly code: string
  readonly issues: readonly ValidationIssue[]
}

export type Intake =
  | {
      readonly ok: true
      readonly events: AcceptedEvent[]
      readonly rejections: Rejection[]
      readonly total: number
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string }

export type BodyFormat = 'json' | 'ndjson'

const utf8 = new TextDecoder('utf-8', { fatal: true })

export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/json' || type.endsWith('+json')) return 'json'
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') {
    return 'ndjson'
  }
  return undefined
}

export function readIntake(body: Buffer, format: BodyFormat, maxEvents: number): Intake {
  return format === 'json' ? readJson(body, maxEvents) : readNdjson(body, maxEvents)
}

function readJson(body: Buffer, maxEvents: number): Intake {
  let parsed: unknown
  try {
    parsed = JSON.parse(utf8.decode(body))
  } catch (err) {
    return {
      ok: false,
      code: 'BODY_NOT_JSON',
      message: `the body is not valid UTF-8 JSON: ${err instanceof Error ? err.message : 'unreadable'}`,
    }
  }
  const items = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]
  if (items.length === 0) return { ok: false, code: 'BATCH_EMPTY', message: 'the array holds no event' }
  if (items.length > maxEvents) return tooMany(items.length, maxEvents)
  const events: AcceptedEvent[] = []
  const rejections: Rejection[] = []
  items.forEach((item, index) => {
    const result = validateSaleLine(item)
    if (!result.ok) {
      rejections.push({ index, ...idOf(item), code: result.code, issues: result.issues })
      return
    }
    const value = Buffer.from(JSON.stringify(result.event))
    if (value.byteLength > LIMITS.maxEventBytes) {
      rejections.push({ index, eventId: result.event.event_id, ...tooLarge(value.byteLength) })
      return
    }
    events.push({ index, event: result.event, value })
  })
  return { ok: true, events, rejections, total: items.length }
}

function readNdjson(body: Buffer, maxEvents: number): Intake {
  const events: AcceptedEvent[] = []
  const rejections: Rejection[] = []
  let index = 0
  let start = 0
  let lineNo = 0
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start)
    if (end < 0) end = body.length
    lineNo += 1
    let stop = end
    if (stop > start && body[stop - 1] === 0x0d) stop -= 1
    const line = body.subarray(start, stop)
    start = end + 1
    if (isBlank(line)) continue
    if (index >= maxEvents) return tooMany(countLines(body), maxEvents)
    const result = decodeSaleLine(line)
    if (result.ok) {
      events.push({ index, event: result.event, value: Buffer.from(JSON.stringify(result.event)) })
    } else {
      rejections.push({ index, line: lineNo, ...idOfBytes(line), code: result.code, issues: result.issues })
    }
    index += 1
  }
  if (index === 0) return { ok: false, code: 'BATCH_EMPTY', message: 'the body holds no event' }
  return { ok: true, events, rejections, total: index }
}

function tooMany(count: number, maxEvents: number): Intake {
  return {
    ok: false,
    code: 'BATCH_TOO_LARGE',
    message: `the request holds ${count} events; at most ${maxEvents} are accepted per request`,
  }
}

function tooLarge(bytes: number): Pick<Rejection, 'code' | 'issues'> {
  return {
    code: 'EVENT_TOO_LARGE',
    issues: [{ field: '', reason: `event is ${bytes} bytes; the limit is ${LIMITS.maxEventBytes}` }],
  }
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09) return false
  return true
}

function countLines(body: Buffer): number {
  let n = 0
  for (const line of body.toString('latin1').split('\n')) if (line.trim() !== '') n += 1
  return n
}

/** The event_id of a rejected event, when it has a well-formed one, to help the sender match it. */
function idOf(item: unknown): { eventId?: string } {
  if (item && typeof item === 'object' && 'event_id' in item) {
    const id = item.event_id
    if (typeof id === 'string' && id.length <= 64 && /^[0-9a-fA-F-]+$/.test(id)) return { eventId: id }
  }
  return {}
}

function idOfBytes(line: Buffer): { eventId?: string } {
  const match = /"event_id"\s*:\s*"([0-9a-fA-F-]{1,64})"/.exec(line.subarray(0, 4096).toString('latin1'))
  return match?.[1] ? { eventId: match[1] } : {}
}
