import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertSecureBrokers, parseUpOptions } from '../../../src/cli/commands/up-options.ts'
import { SretlError } from '../../../src/platform/errors.ts'

const given = { SRETL_HOME: '/tmp/x' }

test('up should hand --brokers to the stack as KAFKA_LOCAL_BROKERS', () => {
  assert.deepEqual(parseUpOptions(given, { brokers: ' 3 ' }).env, { ...given, KAFKA_LOCAL_BROKERS: '3' })
  assert.equal(parseUpOptions(given, {}).env, given)
})

test('up should refuse a --brokers other than 1 or 3 as a usage error', () => {
  assert.throws(
    () => parseUpOptions(given, { brokers: '2' }),
    (err) =>
      err instanceof SretlError &&
      err.code === 'USAGE' &&
      /--brokers must be 1 or 3, got "2"/.test(err.message),
  )
})

test('up should start components and monitoring unless told not to', () => {
  assert.deepEqual(
    { ...parseUpOptions(given, {}), env: undefined },
    { env: undefined, secure: false, components: true, monitoring: true },
  )
  const options = parseUpOptions(given, { secure: true, 'no-components': true, 'no-monitoring': true })
  assert.deepEqual(
    { ...options, env: undefined },
    { env: undefined, secure: true, components: false, monitoring: false },
  )
})

test('up --secure should refuse a cluster of three, however it was asked for', () => {
  assertSecureBrokers(parseUpOptions(given, { secure: true }), 1)
  assertSecureBrokers(parseUpOptions(given, {}), 3)
  assert.throws(
    () => assertSecureBrokers(parseUpOptions(given, { secure: true }), 3),
    (err) => err instanceof SretlError && err.code === 'USAGE' && /single Kafka broker/.test(err.message),
  )
})
