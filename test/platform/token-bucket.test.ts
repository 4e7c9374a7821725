import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TokenBucket } from '../../src/platform/token-bucket.ts'

test('a token bucket should allow its burst, then its rate, and say how long to wait', () => {
  const clock = { now: 0 }
  const bucket = new TokenBucket({ ratePerSec: 10, burst: 20, clock: () => clock.now })
  assert.deepEqual(bucket.take(20), { ok: true })
  assert.deepEqual(bucket.take(1), { ok: false, retryAfterMs: 100 })
  clock.now += 500
  assert.deepEqual(bucket.take(6), { ok: false, retryAfterMs: 100 }, 'nothing taken on refusal')
  assert.deepEqual(bucket.take(5), { ok: true })
  clock.now += 60_000
  assert.equal(bucket.available, 20, 'never more than the burst')
  assert.equal(bucket.take(21).ok, false)
  assert.equal((bucket.take(21) as { retryAfterMs: number }).retryAfterMs, Number.POSITIVE_INFINITY)
})
