import assert from 'node:assert/strict'
import { test } from 'node:test'
import { refusalOf } from '../../src/control/component-client.ts'

test('a component’s 200 should be no refusal', () => {
  assert.equal(refusalOf('simulator', { status: 200, body: { state: 'RUNNING' } }), undefined)
})

test('a component’s refusal should keep its own code and message', () => {
  assert.deepEqual(
    refusalOf('simulator', { status: 422, body: { code: 'RATE_ABOVE_CAP', message: 'too fast' } }),
    { code: 'RATE_ABOVE_CAP', message: 'too fast' },
  )
  assert.deepEqual(refusalOf('lander', { status: 404, body: { code: 'NOT_PAUSABLE', message: 'no flow' } }), {
    code: 'NOT_PAUSABLE',
    message: 'no flow',
  })
})

test('a missing route or an unknown code should be COMPONENT_REFUSED', () => {
  assert.deepEqual(
    refusalOf('gateway', { status: 404, body: { code: 'NOT_FOUND', message: 'no route POST /pause' } }),
    { code: 'COMPONENT_REFUSED', message: 'no route POST /pause' },
  )
  assert.deepEqual(refusalOf('gateway', { status: 418, body: { code: 'TEAPOT' } }), {
    code: 'COMPONENT_REFUSED',
    message: 'the gateway answered 418',
  })
})
