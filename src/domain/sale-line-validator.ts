/**
 * Decoding and validation of sale_line v1 events: bytes → JSON → schema → business rules. Every
 * rejection says which field and why, in words a till integrator can act on, and carries the code
 * that goes into the dead-letter headers and the metrics.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'
import { LIMITS, saleLineSchema, type SaleLine } from './sale-line.ts'

export type RejectionCode =
  'EVENT_TOO_LARGE' | 'EVENT_NOT_JSON' | 'EVENT_SCHEMA_INVALID' | 'EVENT_RULE_VIOLATED'

export interface ValidationIssue {
  /** JSON pointer of the offending field ('' for the whole event). */
  readonly field: string
  readonly reason: string
}

export type ValidationResult =
  | { readonly ok: true; readonly event: SaleLine }
  | { readonly ok: false; readonly code: RejectionCode; readonly issues: readonly ValidationIssue[] }

/**
 * The schema as other languages' validators read it: ajv's `nullable` (which JSONSchemaType needs
 * for optional fields) becomes the standard `type: [..., "null"]`. This is what
 * schemas/sale_line.v1.json contains and what the validator below compiles.
 */
export function portableSchema(): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(saleLineSchema, (_key, value: unknown) => {
      if (value && typeof value === 'object' && !Array.isArray(value) && 'nullable' in value) {
        const { nullable, type, ...rest } = value as { nullable?: boolean; type?: string }
        return nullable ? { type: [type, 'null'], ...rest } : { type, ...rest }
      }
      return value
    }),
  ) as Record<string, unknown>
}

const ajv = new Ajv2020({ allErrors: true, strict: true })
const schemaCheck = ajv.compile<SaleLine>(portableSchema())

/** Most issues reported for one event: an answer stays small whatever a body holds. */
export const MAX_ISSUES_PER_EVENT = 20

const KNOWN_FIELDS = new Set(Object.keys(saleLineSchema.properties as object))

export function validateSaleLine(value: unknown): ValidationResult {
  // more keys than a sale line has: unknown ones for sure. Named here in one pass, because the
  // schema check with allErrors would build an error per key (a 1 MB body: seconds, megabytes)
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value)
    if (keys.length > KNOWN_FIELDS.size) {
      const unknown = keys.filter((k) => !KNOWN_FIELDS.has(k))
      return { ok: false, code: 'EVENT_SCHEMA_INVALID', issues: unknownFields(unknown) }
    }
  }
  if (!schemaCheck(value)) {
    return {
      ok: false,
      code: 'EVENT_SCHEMA_INVALID',
      issues: capIssues(describeSchemaErrors(schemaCheck.errors ?? [])),
    }
  }
  const issues = ruleViolations(value)
  if (issues.length > 0) return { ok: false, code: 'EVENT_RULE_VIOLATED', issues: capIssues(issues) }
  return { ok: true, event: value }
}

function unknownFields(unknown: readonly string[]): ValidationIssue[] {
  const shown = unknown
    .slice(0, MAX_ISSUES_PER_EVENT - 1)
    .map((k) => ({ field: `/${k.slice(0, 64)}`, reason: 'is not a field of sale_line v1' }))
  return capIssues(shown, unknown.length)
}

/** At most MAX_ISSUES_PER_EVENT issues, the last saying how many more there were. */
export function capIssues(issues: ValidationIssue[], total = issues.length): ValidationIssue[] {
  if (total <= MAX_ISSUES_PER_EVENT && issues.length === total) return issues
  const kept = issues.slice(0, MAX_ISSUES_PER_EVENT - 1)
  return [...kept, { field: '', reason: `and ${total - kept.length} more issues not listed` }]
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Validates the raw bytes of one event (a Kafka message value, one NDJSON line). */
export function decodeSaleLine(bytes: Uint8Array): ValidationResult {
  if (bytes.byteLength > LIMITS.maxEventBytes) {
    return {
      ok: false,
      code: 'EVENT_TOO_LARGE',
      issues: [
        { field: '', reason: `event is ${bytes.byteLength} bytes; the limit is ${LIMITS.maxEventBytes}` },
      ],
    }
  }
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return { ok: false, code: 'EVENT_NOT_JSON', issues: [{ field: '', reason: 'not valid UTF-8 text' }] }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return {
      ok: false,
      code: 'EVENT_NOT_JSON',
      issues: [{ field: '', reason: `not valid JSON: ${(err as Error).message}` }],
    }
  }
  return validateSaleLine(value)
}

/** Rules the schema cannot express: signs, arithmetic, references, a real instant in range. */
export function ruleViolations(event: SaleLine): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const time = Date.parse(event.event_time)
  if (Number.isNaN(time) || new Date(time).toISOString() !== event.event_time) {
    issues.push({ field: '/event_time', reason: `"${event.event_time}" is not a real UTC instant` })
  } else if (event.event_time < LIMITS.earliestEventTime || event.event_time >= LIMITS.latestEventTime) {
    issues.push({
      field: '/event_time',
      reason: `must be between ${LIMITS.earliestEventTime} and ${LIMITS.latestEventTime}`,
    })
  }
  const sale = event.event_type === 'SALE'
  if (sale && event.quantity < 0) {
    issues.push({ field: '/quantity', reason: 'a SALE line has a positive quantity' })
  }
  if (!sale && event.quantity > 0) {
    issues.push({ field: '/quantity', reason: `a ${event.event_type} line has a negative quantity` })
  }
  const sign = Math.sign(event.quantity)
  for (const field of ['discount_minor', 'tax_minor'] as const) {
    if (event[field] !== 0 && Math.sign(event[field]) !== sign) {
      issues.push({
        field: `/${field}`,
        reason: `takes the sign of the quantity (${sign > 0 ? '≥ 0' : '≤ 0'})`,
      })
    }
  }
  const gross = event.quantity * event.unit_price_minor
  if (Math.abs(event.discount_minor) > Math.abs(gross)) {
    issues.push({ field: '/discount_minor', reason: 'is larger than quantity × unit_price_minor' })
  }
  const expected = gross - event.discount_minor + event.tax_minor
  if (event.net_amount_minor !== expected) {
    issues.push({
      field: '/net_amount_minor',
      reason: `must equal quantity × unit_price_minor − discount_minor + tax_minor = ${expected}, got ${event.net_amount_minor}`,
    })
  }
  if (event.event_type === 'RETURN' && !event.original_receipt_id) {
    issues.push({ field: '/original_receipt_id', reason: 'a RETURN names the receipt it refers to' })
  }
  return issues
}

function describeSchemaErrors(errors: readonly ErrorObject[]): ValidationIssue[] {
  const seen = new Set<string>()
  const issues: ValidationIssue[] = []
  for (const error of errors) {
    const issue = describeSchemaError(error)
    const key = `${issue.field} ${issue.reason}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
  }
  return issues
}

function describeSchemaError(error: ErrorObject): ValidationIssue {
  const field = error.instancePath
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { field: `${field}/${String(params.missingProperty)}`, reason: 'is required' }
    case 'additionalProperties':
      return {
        field: `${field}/${String(params.additionalProperty)}`,
        reason: 'is not a field of sale_line v1',
      }
    case 'type':
      return { field, reason: `must be ${String(params.type)}` }
    case 'enum':
      return { field, reason: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` }
    case 'pattern':
      return { field, reason: patternReason(field) }
    case 'minimum':
    case 'maximum':
      return { field, reason: `must be ${error.keyword === 'minimum' ? '≥' : '≤'} ${String(params.limit)}` }
    case 'minLength':
      return { field, reason: 'must not be empty' }
    case 'maxLength':
      return { field, reason: `must be at most ${String(params.limit)} characters` }
    case 'not':
      return { field, reason: 'must not be 0' }
    default:
      return { field, reason: error.message ?? 'is invalid' }
  }
}

function patternReason(field: string): string {
  switch (field) {
    case '/event_id':
      return 'must be a UUIDv7 in lower-case hex (8-4-4-4-12, version 7)'
    case '/event_time':
      return 'must be UTC with milliseconds, like 2026-11-30T12:34:56.789Z'
    case '/currency':
      return 'must be an ISO 4217 code like EUR'
    case '/customer_ref':
      return 'must be an HMAC-SHA256 in hex (64 characters), never a raw loyalty id'
    default:
      return 'may contain letters, digits and . _ : - only, starting with a letter or digit'
  }
}
