import assert from 'node:assert/strict'
import { test } from 'node:test'
import { commandHelp, defineCommand, parseCommandArgs } from '../../src/cli/command.ts'
import { SretlError } from '../../src/platform/errors.ts'

const command = defineCommand({
  name: 'demo',
  args: '<component>',
  summary: 'A demo command.',
  options: {
    json: { type: 'boolean', description: 'JSON output.' },
    rate: { type: 'string', valueName: 'n', description: 'Rate.' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  run: () => Promise.resolve(0),
})

test('command arguments should parse options and positionals', () => {
  const parsed = parseCommandArgs(command, ['lander', '--json', '--rate', '5'])
  assert.deepEqual(parsed.positionals, ['lander'])
  assert.equal(parsed.values.json, true)
  assert.equal(parsed.values.rate, '5')
  assert.equal(parsed.help, false)
  assert.equal(parseCommandArgs(command, ['--help']).help, true, '--help needs no positionals')
})

test('command arguments should refuse unknown options and wrong positional counts with a usage error', () => {
  for (const argv of [['x', '--nope'], [], ['a', 'b']]) {
    assert.throws(
      () => parseCommandArgs(command, argv),
      (err) => err instanceof SretlError && err.code === 'USAGE' && err.message.includes('sretl demo --help'),
    )
  }
})

test('command help should list every option', () => {
  const help = commandHelp(command)
  assert.match(help, /^Usage: sretl demo <component> \[options\]/)
  assert.match(help, /--json\s+JSON output\./)
  assert.match(help, /--rate <n>\s+Rate\./)
  assert.match(help, /-h, --help\s+Show this help\./)
})
