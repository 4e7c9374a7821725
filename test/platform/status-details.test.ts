import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  isDetailsComponent,
  parseComponentStatus,
  parseDetails,
  requireDetails,
} from '../../src/platform/status-details.ts'
import { validDetails } from '../support/status-details.ts'

const envelope = (details: unknown) => ({
  component: 'simulator',
  instance: 'h:1',
  state: 'RUNNING',
  since: '2026-12-05T00:00:00.000Z',
  heartbeatAt: '2026-12-05T00:00:01.000Z',
  details,
})

test('every component’s contract should accept the details it documents, with extra fields kept', () => {
  for (const name of ['simulator', 'gateway', 'lander', 'control'] as const) {
    const parsed = parseDetails(name, { details: { ...validDetails[name], extra: 1 } })
    assert.ok(parsed.ok, `${name}: ${parsed.ok ? '' : parsed.problem}`)
  }
  assert.equal(requireDetails('simulator', { details: validDetails.simulator ?? {} }).capPerSec, 5000)
  assert.equal(isDetailsComponent('lander'), true)
  assert.equal(isDetailsComponent('toString'), false)
})

test('a renamed or retyped field should be reported with its path, never read as a zero', () => {
  const { baseRatePerSec: _dropped, ...renamed } = validDetails.simulator ?? {}
  const missing = parseDetails('simulator', { details: { ...renamed, baseRate: 100 } })
  assert.deepEqual(
    missing.ok ? undefined : missing.problem.split(':')[0],
    "the simulator's status breaks its contract at details.baseRatePerSec",
  )
  assert.throws(
    () => requireDetails('lander', { details: { ...validDetails.lander, partitions: [{ partition: '0' }] } }),
    (err: Error & { code?: string }) =>
      err.code === 'STATUS_INVALID' && /details\.partitions\.0\.partition/.test(err.message),
  )
})

test('a /status answer should be read through its envelope, naming what is wrong', () => {
  assert.equal(parseComponentStatus('simulator', envelope({})).state, 'RUNNING')
  assert.throws(
    () => parseComponentStatus('simulator', { ...envelope({}), state: 'SLEEPING' }),
    /the simulator's status breaks its contract at state/,
  )
  assert.throws(
    () => parseComponentStatus('gateway', 'ok'),
    /STATUS_INVALID|breaks its contract at the answer/,
  )
})
