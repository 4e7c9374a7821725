import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { allConfigSections } from '../../src/cli/settings.ts'
import { baseConfigSection, LOCAL_DATABASE_URL } from '../../src/platform/base-config.ts'
import { describeSection, loadConfig } from '../../src/platform/config.ts'
import { connection } from '../../src/platform/kafka.ts'

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

test('Kafka security should default to PLAINTEXT with no SASL and no CA', () => {
  const config = loadConfig({ HOME: '/home/ana' }, baseConfigSection)
  assert.deepEqual(config.kafka.security, { protocol: 'PLAINTEXT' })
})

test('SASL_SSL should refuse to start without a user and password, naming both variables', () => {
  assert.throws(
    () => loadConfig({ HOME: '/h', KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }, baseConfigSection),
    (err: Error) =>
      /KAFKA_SASL_USERNAME: is required/.test(err.message) &&
      /KAFKA_SASL_PASSWORD: is required/.test(err.message),
  )
})

test('a Kafka CA file that cannot be read or holds no certificate should stop start-up naming KAFKA_SSL_CA_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-kafka-ca-'))
  try {
    const notPem = join(dir, 'ca.txt')
    writeFileSync(notPem, 'hello')
    for (const file of [join(dir, 'missing.crt'), notPem]) {
      assert.throws(
        () =>
          loadConfig(
            { HOME: '/h', KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: file },
            baseConfigSection,
          ),
        /KAFKA_SSL_CA_FILE: /,
      )
    }
    assert.throws(
      () => loadConfig({ HOME: '/h', KAFKA_SASL_USERNAME: 'gateway' }, baseConfigSection),
      /KAFKA_SASL_USERNAME: SASL credentials are set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT/,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a password given as KAFKA_SASL_PASSWORD_FILE should be kept as the file, to be read at every connection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-kafka-pw-'))
  try {
    const file = join(dir, 'pw')
    writeFileSync(file, 'first-password\n')
    const config = loadConfig(
      {
        HOME: '/h',
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_USERNAME: 'lander',
        KAFKA_SASL_PASSWORD_FILE: file,
      },
      baseConfigSection,
    )
    assert.deepEqual(config.kafka.security.sasl, {
      mechanism: 'SCRAM-SHA-512',
      username: 'lander',
      password: { file },
    })
    const options = connection(config.kafka, 'test')
    const password = options.sasl?.password
    assert.equal(typeof password, 'function')
    assert.equal((password as () => string)(), 'first-password')
    writeFileSync(file, 'rotated-password\n')
    assert.equal((password as () => string)(), 'rotated-password')
    assert.deepEqual(options.tls, {})
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
