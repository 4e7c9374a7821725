import assert from 'node:assert/strict'
import { test } from 'node:test'
import { StateTracker } from '../../src/platform/component-server.ts'
import { LanderState } from '../../src/lander/lander-state.ts'

function setup(): { state: LanderState; paused: { value: boolean } } {
  const paused = { value: false }
  const clock = (): number => Date.UTC(2026, 11, 5, 7, 0, 0)
  return {
    state: new LanderState(new StateTracker(() => new Date(clock())), clock, () => paused.value),
    paused,
  }
}

test('the lander should be STARTING until it joined, then RUNNING', () => {
  const { state } = setup()
  assert.equal(state.snapshot().state, 'STARTING')
  assert.equal(state.ready, false)
  state.joined()
  assert.equal(state.snapshot().state, 'RUNNING')
  assert.equal(state.ready, true)
})

test('an operator pause should show PAUSED, and resuming RUNNING again', () => {
  const { state, paused } = setup()
  state.joined()
  paused.value = true
  state.operatorChanged()
  assert.equal(state.snapshot().state, 'PAUSED')
  paused.value = false
  state.operatorChanged()
  assert.equal(state.snapshot().state, 'RUNNING')
})

test('a failing batch should keep the state FAILED through pauses and rejoins until it lands', () => {
  const { state, paused } = setup()
  state.joined()
  state.landingFailed('LANDER_RETRYING', 'connection refused', new Set([1, 2]))
  assert.equal(state.snapshot().state, 'FAILED')
  assert.equal(state.snapshot().lastError?.code, 'LANDER_RETRYING')
  assert.deepEqual([...(state.failing?.partitions ?? [])], [1, 2])
  assert.equal(state.failing?.error.at, '2026-12-05T07:00:00.000Z')
  paused.value = true
  state.operatorChanged()
  state.joined()
  assert.equal(state.snapshot().state, 'FAILED')
  state.landingRecovered()
  assert.equal(state.failing, undefined)
  assert.equal(state.snapshot().state, 'PAUSED', 'settles to the operator pause still in force')
})

test('losing the stream should clear ready but leave the state shown until the next join', () => {
  const { state } = setup()
  state.joined()
  state.streamLost()
  assert.equal(state.ready, false)
  assert.equal(state.snapshot().state, 'RUNNING')
  state.recordError('KAFKA_UNAVAILABLE', 'consuming failed')
  assert.equal(state.snapshot().state, 'RUNNING')
  assert.equal(state.snapshot().lastError?.code, 'KAFKA_UNAVAILABLE')
})

test('once stopping, nothing should move the state away from STOPPING', () => {
  const { state } = setup()
  state.joined()
  assert.equal(state.beginStopping(), true)
  assert.equal(state.beginStopping(), false, 'a second stop is a no-op')
  state.landingFailed('LANDER_STUCK', 'relation missing', new Set([0]))
  state.landingRecovered()
  state.operatorChanged()
  state.joined()
  assert.equal(state.snapshot().state, 'STOPPING')
  assert.equal(state.stopping, true)
})

test('a loop that crashed should show FAILED with INTERNAL', () => {
  const { state } = setup()
  state.crashed('boom')
  assert.equal(state.snapshot().state, 'FAILED')
  assert.equal(state.snapshot().lastError?.code, 'INTERNAL')
})
