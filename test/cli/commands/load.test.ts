import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cli } from '../../../src/cli/main.ts'
import type { Ui } from '../../../src/cli/ui.ts'

const capture = () => {
  const lines: string[] = []
  const ui: Ui = {
    line: (t = '') => lines.push(t),
    warn: (t) => lines.push(t),
    table: () => undefined,
    progress: () => undefined,
  }
  return { ui, lines }
}

test('sretl load should refuse an unknown profile naming the profiles, before touching the stack', async () => {
  const { ui } = capture()
  const stderr: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = (chunk: string) => stderr.push(String(chunk)) > 0
  try {
    assert.equal(await cli(['load', '--profile', '9x'], {}, ui), 2)
  } finally {
    process.stderr.write = write
  }
  assert.match(stderr.join(''), /unknown profile "9x"; the profiles are 1x, 5x, spike, soak, gateway/)
})

test('sretl load --help should list every profile with its default length', async () => {
  const { ui, lines } = capture()
  assert.equal(await cli(['load', '--help'], {}, ui), 0)
  const help = lines.join('\n')
  for (const profile of ['1x', '5x', 'spike', 'soak', 'gateway'])
    assert.match(help, new RegExp(`${profile} — `))
  assert.match(help, /soak — .*\(default 180 min\)/)
})
