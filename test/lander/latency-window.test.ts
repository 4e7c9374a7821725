import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LatencyWindow } from '../../src/lander/latency-window.ts'

test('percentiles should be nearest-rank over the most recent samples only', () => {
  const window = new LatencyWindow(100)
  assert.deepEqual(window.percentiles([50]), [undefined])
  for (let i = 1; i <= 100; i += 1) window.add(i)
  assert.deepEqual(window.percentiles([50, 95, 99, 100]), [50, 95, 99, 100])
  for (let i = 0; i < 100; i += 1) window.add(1000)
  assert.deepEqual(window.percentiles([50]), [1000], 'old samples are overwritten')
  assert.equal(window.count, 100)
})
