import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseApiKeys } from '../../../src/gateway/api-keys.ts'
import { cli } from '../../../src/cli/main.ts'
import type { Ui } from '../../../src/cli/ui.ts'

test('sretl api-key should print a configuration line the gateway accepts, holding only the hash', async () => {
  const lines: string[] = []
  const ui: Ui = {
    line: (t = '') => lines.push(t),
    warn: () => undefined,
    table: () => undefined,
    progress: () => undefined,
  }
  assert.equal(await cli(['api-key', 'till-berlin-01'], {}, ui), 0)
  assert.equal(lines.length, 1)
  assert.match(lines[0] ?? '', /^till-berlin-01:[0-9a-f]{64}$/)
  assert.equal(parseApiKeys(lines[0] ?? '')[0]?.id, 'till-berlin-01')
  assert.equal(await cli(['api-key', 'bad id'], {}, ui), 2)
})
