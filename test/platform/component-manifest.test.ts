import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { componentManifest, componentNames, startOrder } from '../../src/platform/component-manifest.ts'
import { controlTargetNames, controlTargets } from '../../src/platform/control-targets.ts'
import { statusDetailsSchemas } from '../../src/platform/status-details.ts'

test('the lint rule that components do not import each other should name exactly the manifest’s components', () => {
  const config = readFileSync(new URL('../../eslint.config.js', import.meta.url), 'utf8')
  const listed = /const components = \[([^\]]*)\]/.exec(config)?.[1]
  assert.ok(listed, 'eslint.config.js declares its components')
  assert.deepEqual([...listed.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]).sort(), [...componentNames].sort())
})

test('the stack should start the lander first and the control service last, and every component once', () => {
  assert.equal(startOrder[0], 'lander')
  assert.equal(startOrder.at(-1), 'control')
  assert.deepEqual([...startOrder].sort(), [...componentNames].sort())
})

test('pause targets should be the manifest’s pausable components in flow order, intake first', () => {
  assert.deepEqual(controlTargetNames, ['simulator', 'gateway', 'lander'])
  assert.deepEqual(
    controlTargetNames.filter((n) => controlTargets[n].intake),
    ['simulator', 'gateway'],
  )
  for (const name of componentNames) {
    assert.equal(componentManifest[name].details, statusDetailsSchemas[name], `${name}: its status contract`)
    assert.equal(componentManifest[name].port.parse(undefined) > 0, true, `${name}: a default port`)
  }
})
