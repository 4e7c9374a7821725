import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { allConfigSections } from '../../src/cli/settings.ts'
import { baseConfigSection, LOCAL_DATABASE_URL } from '../../src/platform/base-config.ts'
import { describeSection, loadConfig } from '../../src/platform/config.ts'

test('base config should default to the local stack under the user’s home', () => {
  const config = loadConfig({ HOME: '/home/ana' }, baseConfigSection)
  assert.equal(config.paths.home, '/home/ana/.local/share/sretl')
  assert.equal(config.paths.cache, '/home/ana/.cache/sretl')
  assert.deepEqual(config.kafka.bootstrapServers, ['127.0.0.1:9092'])
  assert.equal(config.kafka.local.controllerPort, 9097, 'not 9093, which Alertmanager uses')
  assert.equal(config.postgres.url, LOCAL_DATABASE_URL)
  assert.equal(config.postgres.explicit, false)
})

test('base config should follow KAFKA_PORT for the default bootstrap and honour XDG directories', () => {
  const config = loadConfig(
    {
      HOME: '/h',
      XDG_DATA_HOME: '/data',
      XDG_CACHE_HOME: '/cache',
      KAFKA_PORT: '19092',
      DATABASE_URL: 'postgres://u:p@db:5432/x',
    },
    baseConfigSection,
  )
  assert.deepEqual(config.kafka.bootstrapServers, ['127.0.0.1:19092'])
  assert.equal(config.paths.home, '/data/sretl')
  assert.equal(config.paths.cache, '/cache/sretl')
  assert.equal(config.postgres.explicit, true)
})

test('docs/configuration.md should describe every environment variable the program reads', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')
  const missing = Object.values(allConfigSections)
    .flatMap((section) => describeSection(section))
    .filter((v) => !doc.includes(`\`${v.name}\``))
    .map((v) => v.name)
  assert.deepEqual(missing, [])
})

test('every configuration variable should carry a description', () => {
  const undocumented = Object.values(allConfigSections)
    .flatMap((section) => describeSection(section))
    .filter((v) => v.description.length < 10)
  assert.deepEqual(undocumented, [])
})
