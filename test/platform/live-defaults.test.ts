import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  databasePasswordDefault,
  enforceNoLiveDefaults,
  isLoopback,
} from '../../src/platform/live-defaults.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { isSretlError } from '../../src/platform/errors.ts'

const dev = { secure: false, production: false, adminTokenFile: undefined, trustedProxies: [] }
const devKey = { variable: 'GATEWAY_API_KEYS', what: 'the development API key' }

test('loopback addresses should be told apart from addresses others reach', () => {
  for (const host of ['127.0.0.1', '127.0.1.1', '::1', '[::1]', 'localhost'])
    assert.equal(isLoopback(host), true, host)
  for (const host of ['0.0.0.0', '::', '10.0.0.5', 'gateway', '192.168.1.2'])
    assert.equal(isLoopback(host), false, host)
})

test('the database password sretl should be found in a URL, and a generated one not', () => {
  assert.equal(
    databasePasswordDefault('postgres://sretl:sretl@127.0.0.1:5432/sretl')?.variable,
    'DATABASE_URL',
  )
  assert.equal(databasePasswordDefault('postgres://sretl:Xq3v9@127.0.0.1:5432/sretl'), undefined)
})

test('a well-known value should only warn on a loopback bind in dev mode', () => {
  assert.doesNotThrow(() =>
    enforceNoLiveDefaults({
      security: dev,
      bindHost: '127.0.0.1',
      defaults: [devKey],
      logger: silentLogger(),
    }),
  )
})

test('a well-known value should stop start-up naming the variable on a non-local bind, in production and in secure mode', () => {
  for (const [security, bindHost, why] of [
    [dev, '0.0.0.0', /listening on 0\.0\.0\.0/],
    [{ ...dev, production: true }, '127.0.0.1', /NODE_ENV=production/],
    [{ ...dev, secure: true }, undefined, /SRETL_SECURE/],
  ] as const) {
    assert.throws(
      () =>
        enforceNoLiveDefaults({ security, bindHost, defaults: [devKey, undefined], logger: silentLogger() }),
      (err: unknown) =>
        isSretlError(err) &&
        err.code === 'LIVE_DEFAULT_REFUSED' &&
        /GATEWAY_API_KEYS/.test(err.message) &&
        why.test(err.message),
    )
  }
})

test('no well-known value should start anywhere without complaint', () => {
  assert.doesNotThrow(() =>
    enforceNoLiveDefaults({
      security: { ...dev, secure: true },
      bindHost: '0.0.0.0',
      defaults: [undefined],
      logger: silentLogger(),
    }),
  )
})
