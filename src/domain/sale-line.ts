/**
 * The `sale_line` v1 event: one line of a till receipt. The JSON Schema below is the contract
 * (schemas/sale_line.v1.json is generated from it and a test keeps the two identical); ajv's
 * JSONSchemaType makes the compiler prove that the schema and the TypeScript type agree.
 *
 * Money is integer minor units. Signs follow the quantity: a SALE line has quantity > 0 and
 * non-negative discount and tax; RETURN and VOID lines have quantity < 0 and non-positive
 * discount and tax. Always: net = quantity × unit_price − discount + tax.
 */
import type { JSONSchemaType } from 'ajv'

export const EVENT_TYPES = ['SALE', 'RETURN', 'VOID'] as const
export type EventType = (typeof EVENT_TYPES)[number]

export const PAYMENT_METHODS = ['CARD', 'CASH', 'MOBILE', 'GIFT_CARD', 'VOUCHER'] as const
export type PaymentMethod = (typeof PAYMENT_METHODS)[number]

export interface SaleLine {
  /** UUIDv7, the idempotency key: the same event sent twice lands once. */
  event_id: string
  event_type: EventType
  /** Till clock, UTC, millisecond precision: 2026-11-30T12:34:56.789Z */
  event_time: string
  store_id: string
  register_id: string
  receipt_id: string
  /** 1-based position of the line on its receipt. */
  line_no: number
  sku: string
  category: string
  /** Units; negative for returns and voids. */
  quantity: number
  unit_price_minor: number
  discount_minor: number
  tax_minor: number
  net_amount_minor: number
  /** ISO 4217 code of every amount of the line. */
  currency: string
  payment_method: PaymentMethod
  promo_id?: string | null
  /** HMAC-SHA256 (hex) of the loyalty id with the chain's key; never the raw id. */
  customer_ref?: string | null
  /** The receipt a RETURN refers to. */
  original_receipt_id?: string | null
}

/** Limits that keep every amount within exact integer arithmetic (|qty × price| < 2^53). */
export const LIMITS = {
  maxQuantity: 10_000,
  maxAmountMinor: 100_000_000_000,
  maxEventBytes: 64 * 1024,
  earliestEventTime: '2000-01-01T00:00:00.000Z',
  latestEventTime: '2100-01-01T00:00:00.000Z',
} as const

const id = (maxLength: number, description: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength,
    pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
    description,
  }) as const

const amount = (description: string) =>
  ({ type: 'integer', minimum: -LIMITS.maxAmountMinor, maximum: LIMITS.maxAmountMinor, description }) as const

export const saleLineSchema: JSONSchemaType<SaleLine> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://github.com/stream-retail-etl/schemas/sale_line.v1.json',
  title: 'sale_line v1',
  description:
    'One line of a point-of-sale receipt. Money in integer minor units of `currency`; net_amount_minor = quantity × unit_price_minor − discount_minor + tax_minor; SALE lines have quantity > 0, RETURN and VOID lines quantity < 0 (discount and tax take the sign of the quantity); a RETURN names original_receipt_id.',
  type: 'object',
  additionalProperties: false,
  required: [
    'event_id',
    'event_type',
    'event_time',
    'store_id',
    'register_id',
    'receipt_id',
    'line_no',
    'sku',
    'category',
    'quantity',
    'unit_price_minor',
    'discount_minor',
    'tax_minor',
    'net_amount_minor',
    'currency',
    'payment_method',
  ],
  properties: {
    event_id: {
      type: 'string',
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
      description: 'UUIDv7 (lower-case hex), the idempotency key.',
    },
    event_type: { type: 'string', enum: [...EVENT_TYPES], description: 'SALE, RETURN or VOID.' },
    event_time: {
      type: 'string',
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$',
      description: 'Till clock in UTC with milliseconds, e.g. 2026-11-30T12:34:56.789Z.',
    },
    store_id: id(32, 'Store identifier (key of the stores table and of the Kafka message).'),
    register_id: id(32, 'Register (till) within the store.'),
    receipt_id: id(64, 'Receipt identifier, unique within the store.'),
    line_no: {
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
      description: '1-based line number on the receipt.',
    },
    sku: id(64, 'Stock-keeping unit (key of the products table).'),
    category: { type: 'string', minLength: 1, maxLength: 64, description: 'Product category.' },
    quantity: {
      type: 'integer',
      minimum: -LIMITS.maxQuantity,
      maximum: LIMITS.maxQuantity,
      not: { const: 0 },
      description: 'Units; negative for RETURN and VOID.',
    },
    unit_price_minor: {
      type: 'integer',
      minimum: 0,
      maximum: LIMITS.maxAmountMinor,
      description: 'Price of one unit in minor units.',
    },
    discount_minor: amount('Discount on the line (sign of the quantity).'),
    tax_minor: amount('Tax on the line (sign of the quantity).'),
    net_amount_minor: amount('quantity × unit_price_minor − discount_minor + tax_minor.'),
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code.' },
    payment_method: { type: 'string', enum: [...PAYMENT_METHODS], description: 'How the receipt was paid.' },
    promo_id: {
      type: 'string',
      nullable: true,
      minLength: 1,
      maxLength: 64,
      description: 'Promotion applied.',
    },
    customer_ref: {
      type: 'string',
      nullable: true,
      pattern: '^[0-9a-f]{64}$',
      description: 'HMAC-SHA256 (hex) of the loyalty id; absent for anonymous customers.',
    },
    original_receipt_id: {
      type: 'string',
      nullable: true,
      minLength: 1,
      maxLength: 64,
      description: 'For a RETURN: the receipt it refers to.',
    },
  },
}
