import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodeSaleLine,
  validateSaleLine,
  type ValidationResult,
} from '../../src/domain/sale-line-validator.ts'
import { makeSaleLine } from '../support/events.ts'

function rejection(result: ValidationResult): {
  code: string
  issues: readonly { field: string; reason: string }[]
} {
  assert.equal(result.ok, false, 'expected a rejection')
  if (result.ok) throw new Error('unreachable')
  return result
}

test('a valid sale, return and void should pass', () => {
  assert.equal(validateSaleLine(makeSaleLine()).ok, true)
  const ret = makeSaleLine({
    event_type: 'RETURN',
    quantity: -1,
    unit_price_minor: 500,
    discount_minor: -50,
    tax_minor: -90,
    original_receipt_id: 'RC-1',
  })
  assert.equal(ret.net_amount_minor, -500 + 50 - 90)
  assert.equal(validateSaleLine(ret).ok, true)
  assert.equal(validateSaleLine(makeSaleLine({ event_type: 'VOID', quantity: -1, tax_minor: 0 })).ok, true)
  assert.equal(validateSaleLine(makeSaleLine({ promo_id: null, customer_ref: null })).ok, true)
})

test('each malformed field should be rejected naming the field and the reason', () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ event_id: 'not-a-uuid' }, '/event_id', /UUIDv7/],
    [{ event_id: '0190b6a8-1c2d-4e3f-8a9b-0c1d2e3f4a5b' }, '/event_id', /version 7/],
    [{ event_time: '2026-11-30 12:00:00' }, '/event_time', /UTC with milliseconds/],
    [{ event_type: 'REFUND' }, '/event_type', /one of SALE, RETURN, VOID/],
    [{ quantity: 1.5 }, '/quantity', /must be integer/],
    [{ quantity: 0 }, '/quantity', /must not be 0/],
    [{ quantity: '2' }, '/quantity', /must be integer/],
    [{ unit_price_minor: -1 }, '/unit_price_minor', /≥ 0/],
    [{ currency: 'eur' }, '/currency', /ISO 4217/],
    [{ store_id: '' }, '/store_id', /must not be empty/],
    [{ store_id: 'S 1' }, '/store_id', /letters, digits/],
    [{ payment_method: 'BITCOIN' }, '/payment_method', /one of CARD/],
    [{ customer_ref: 'LOYAL-123' }, '/customer_ref', /never a raw loyalty id/],
    [{ extra: 1 }, '/extra', /not a field of sale_line v1/],
    [{ line_no: 0 }, '/line_no', /≥ 1/],
  ]
  for (const [override, field, reason] of cases) {
    const result = rejection(validateSaleLine({ ...makeSaleLine(), ...override }))
    assert.equal(result.code, 'EVENT_SCHEMA_INVALID', JSON.stringify(override))
    const issue = result.issues.find((i) => i.field === field)
    assert.ok(issue, `${JSON.stringify(override)}: an issue for ${field} in ${JSON.stringify(result.issues)}`)
    assert.match(issue.reason, reason)
  }
  const { event_id: _omit, ...missing } = makeSaleLine()
  assert.deepEqual(rejection(validateSaleLine(missing)).issues, [
    { field: '/event_id', reason: 'is required' },
  ])
})

test('business rules should be enforced: arithmetic, signs, return references, time range', () => {
  const cases: [Parameters<typeof makeSaleLine>[0], string, RegExp][] = [
    [
      { net_amount_minor: 1 },
      '/net_amount_minor',
      /must equal quantity × unit_price_minor − discount_minor \+ tax_minor = \d+, got 1/,
    ],
    [{ quantity: -2 }, '/quantity', /SALE line has a positive quantity/],
    [
      { event_type: 'RETURN', quantity: 2, original_receipt_id: 'R' },
      '/quantity',
      /RETURN line has a negative quantity/,
    ],
    [{ event_type: 'RETURN', quantity: -1, tax_minor: 0 }, '/original_receipt_id', /names the receipt/],
    [{ discount_minor: -5 }, '/discount_minor', /sign of the quantity/],
    [{ quantity: 1, unit_price_minor: 100, discount_minor: 150 }, '/discount_minor', /larger than/],
    [{ event_time: '1999-12-31T23:59:59.999Z' }, '/event_time', /between 2000/],
    [{ event_time: '2026-02-30T12:00:00.000Z' }, '/event_time', /not a real UTC instant/],
  ]
  for (const [override, field, reason] of cases) {
    const result = rejection(validateSaleLine(makeSaleLine(override)))
    assert.equal(result.code, 'EVENT_RULE_VIOLATED', JSON.stringify(override))
    assert.ok(
      result.issues.some((i) => i.field === field && reason.test(i.reason)),
      `${field} ${reason} in ${JSON.stringify(result.issues)}`,
    )
  }
})

test('raw bytes should be rejected as too large, not UTF-8 or not JSON before the schema runs', () => {
  assert.equal(rejection(decodeSaleLine(Buffer.alloc(70 * 1024, 0x20))).code, 'EVENT_TOO_LARGE')
  assert.equal(rejection(decodeSaleLine(Buffer.from([0xff, 0xfe, 0x7b]))).code, 'EVENT_NOT_JSON')
  assert.match(
    rejection(decodeSaleLine(Buffer.from('{"event_id":'))).issues[0]?.reason ?? '',
    /not valid JSON/,
  )
  assert.equal(rejection(decodeSaleLine(Buffer.from('[1,2]'))).code, 'EVENT_SCHEMA_INVALID')
  assert.equal(decodeSaleLine(Buffer.from(JSON.stringify(makeSaleLine()))).ok, true)
})

test('random and hostile bodies should be rejected without throwing', () => {
  let seed = 42
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const bodies: Buffer[] = [
    Buffer.from('['.repeat(5000) + ']'.repeat(5000)),
    Buffer.from('{"a":'.repeat(3000) + '1' + '}'.repeat(3000)),
    Buffer.from(JSON.stringify({ ...makeSaleLine(), quantity: 1e308 })),
    Buffer.from(JSON.stringify({ ...makeSaleLine(), unit_price_minor: 2 ** 60 })),
    Buffer.from(JSON.stringify({ ...makeSaleLine(), store_id: '\u202e\u0000\ud83d' })),
    Buffer.from('"\\ud800"'),
    Buffer.from('null'),
  ]
  for (let i = 0; i < 1000; i++)
    bodies.push(Buffer.from(Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256))))
  for (const body of bodies) {
    const result = decodeSaleLine(body)
    assert.equal(result.ok, false)
  }
})
