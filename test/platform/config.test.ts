import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  boolVar,
  combineSections,
  defineSection,
  describeSection,
  enumVar,
  hostPortListVar,
  intVar,
  jvmSizeVar,
  loadConfig,
  numberVar,
  stringVar,
  urlVar,
} from '../../src/platform/config.ts'
import { SretlError } from '../../src/platform/errors.ts'

const section = defineSection(
  {
    PORT: intVar('a port', 8080, { min: 1, max: 65535 }),
    RATIO: numberVar('a ratio', 0.5, { min: 0, max: 1 }),
    ENABLED: boolVar('a switch', false),
    MODE: enumVar('a mode', ['fast', 'slow'], 'fast'),
    NAME: stringVar('a name'),
    SECRET: stringVar('a secret'),
    DB: urlVar('a database', ['postgres:']),
    BROKERS: hostPortListVar('brokers'),
    HEAP: jvmSizeVar('heap', '512m'),
  },
  (v) => ({ ...v }),
)

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env, section)
  } catch (err) {
    assert.ok(err instanceof SretlError)
    assert.equal(err.code, 'CONFIG_INVALID')
    assert.equal(err.retryable, false)
    return err.message
  }
  assert.fail('expected the configuration to be refused')
}

test('config should apply defaults and parse typed values', () => {
  const config = loadConfig(
    {
      PORT: '9000',
      RATIO: '0.25',
      ENABLED: 'yes',
      MODE: 'slow',
      NAME: ' shop ',
      BROKERS: 'a:1, b:2',
      HEAP: '1G',
    },
    section,
  )
  assert.deepEqual(config, {
    PORT: 9000,
    RATIO: 0.25,
    ENABLED: true,
    MODE: 'slow',
    NAME: 'shop',
    SECRET: undefined,
    DB: undefined,
    BROKERS: ['a:1', 'b:2'],
    HEAP: '1g',
  })
  const defaults = loadConfig({}, section)
  assert.equal(defaults.PORT, 8080)
  assert.equal(defaults.ENABLED, false)
  assert.equal(defaults.HEAP, '512m')
})

test('config should be frozen', () => {
  const config = loadConfig({ BROKERS: 'a:1' }, section)
  assert.ok(Object.isFrozen(config))
  assert.ok(Object.isFrozen(config.BROKERS))
})

test('config should name every invalid variable with the reason in one message', () => {
  const message = problems({
    PORT: '80a',
    RATIO: '2',
    ENABLED: 'maybe',
    MODE: 'medium',
    DB: 'mysql://x',
    BROKERS: 'nohost',
    HEAP: '5 GB',
  })
  for (const expected of [
    'PORT: must be a whole number, got "80a"',
    'RATIO: must be between 0 and 1, got 2',
    'ENABLED: must be true or false, got "maybe"',
    'MODE: must be one of fast, slow, got "medium"',
    'DB: must start with postgres:',
    'BROKERS: must be host:port[,host:port…], got "nohost"',
    'HEAP: must be a size like 512m or 1g, got "5 GB"',
  ]) {
    assert.ok(message.includes(expected), `"${expected}" in: ${message}`)
  }
  assert.match(problems({ PORT: '70000' }), /PORT: must be between 1 and 65535, got 70000/)
})

test('config should read NAME_FILE for secrets and refuse both NAME and NAME_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-config-'))
  const file = join(dir, 'secret')
  writeFileSync(file, 's3cret\n')
  assert.equal(loadConfig({ SECRET_FILE: file }, section).SECRET, 's3cret')
  assert.match(
    problems({ SECRET: 'x', SECRET_FILE: file }),
    /SECRET: set either SECRET or SECRET_FILE, not both/,
  )
  assert.match(
    problems({ SECRET_FILE: join(dir, 'missing') }),
    /SECRET_FILE: cannot read .*missing \(ENOENT\)/,
  )
})

test('combined sections should build each part and refuse a variable declared twice', () => {
  const a = defineSection({ A: intVar('a', 1) }, (v) => ({ a: v.A }))
  const b = defineSection({ B: stringVar('b', 'x') }, (v) => ({ b: v.B }))
  const config = loadConfig({ A: '5' }, combineSections({ a, b }))
  assert.deepEqual(config, { a: { a: 5 }, b: { b: 'x' } })
  const clash = defineSection({ A: intVar('another a', 2) }, (v) => v)
  assert.throws(() => combineSections({ a, clash }), /A is declared by two sections/)
  assert.deepEqual(describeSection(a), [{ name: 'A', description: 'a' }])
})
