import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { hashKey, newApiKey } from '../../src/gateway/api-keys.ts'
import { gatewaySection } from '../../src/gateway/config.ts'
import { loadConfig } from '../../src/platform/config.ts'

test('the gateway should refuse to start without any API key, naming the variables to set', () => {
  assert.throws(() => loadConfig({}, gatewaySection), /GATEWAY_API_KEYS: no API key is configured/)
  const dev = loadConfig({ GATEWAY_ALLOW_DEV_KEY: 'true' }, gatewaySection)
  assert.deepEqual(
    dev.keys.map((k) => [k.id, k.hash]),
    [['dev', hashKey('sretl-dev-key')]],
  )
})

test('keys should come from a file too, and inconsistent limits should be refused', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sretl-keys-')), 'keys.txt')
  writeFileSync(file, `${newApiKey('till-1').line}\n${newApiKey('till-2').line}:revoked\n`)
  const config = loadConfig({ GATEWAY_API_KEYS_FILE: file }, gatewaySection)
  assert.deepEqual(
    config.keys.map((k) => [k.id, k.revoked]),
    [
      ['till-1', false],
      ['till-2', true],
    ],
  )
  assert.throws(
    () =>
      loadConfig(
        { GATEWAY_ALLOW_DEV_KEY: 'true', GATEWAY_KEY_BURST: '10', GATEWAY_MAX_BATCH_EVENTS: '100' },
        gatewaySection,
      ),
    /GATEWAY_KEY_BURST: must be at least GATEWAY_MAX_BATCH_EVENTS/,
  )
  assert.throws(() => loadConfig({ GATEWAY_API_KEYS: 'a:b' }, gatewaySection), /SHA-256/)
})
