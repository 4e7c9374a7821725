import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFault } from '../../src/lander/test-fault.ts'

test('the test fault should signal once, at the nth pass of its point only', () => {
  const sent: string[] = []
  const reach = createFault({ at: 'after-copy-before-commit', action: 'stop', nth: 2 }, (s) => sent.push(s))
  reach('after-dlq-before-commit')
  reach('after-copy-before-commit')
  assert.deepEqual(sent, [])
  reach('after-copy-before-commit')
  reach('after-copy-before-commit')
  assert.deepEqual(sent, ['SIGSTOP'])
})

test('without settings the test fault should do nothing', () => {
  const reach = createFault(undefined, () => assert.fail('no signal'))
  reach('after-copy-before-commit')
})
