import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { portableSchema } from '../../src/domain/sale-line-validator.ts'
import { saleLineSchema } from '../../src/domain/sale-line.ts'

test('schemas/sale_line.v1.json should be exactly the schema the code validates with', () => {
  const file = JSON.parse(
    readFileSync(new URL('../../schemas/sale_line.v1.json', import.meta.url), 'utf8'),
  ) as unknown
  assert.deepEqual(
    file,
    portableSchema(),
    'run `npm run schemas:write` after changing src/domain/sale-line.ts',
  )
})

test('the portable schema should express optional fields as standard nullable types', () => {
  const properties = portableSchema().properties as Record<string, { type: unknown; nullable?: unknown }>
  assert.deepEqual(properties.promo_id?.type, ['string', 'null'])
  assert.equal(properties.promo_id?.nullable, undefined)
  assert.equal(properties.quantity?.type, 'integer')
  assert.equal(saleLineSchema.required.length, 16)
})
