import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cumulativeWeights, Random, searchCumulative } from '../../src/domain/random.ts'

test('a seeded generator should repeat its sequence, and forks should be independent of each other', () => {
  const a = new Random('seed')
  const b = new Random('seed')
  const first = Array.from({ length: 100 }, () => a.uint32())
  assert.deepEqual(
    Array.from({ length: 100 }, () => b.uint32()),
    first,
  )
  assert.notDeepEqual(
    Array.from({ length: 100 }, () => new Random('seed2').uint32()),
    first,
  )
  assert.equal(new Random('x').fork('a').float(), new Random('x').fork('a').float())
  assert.notEqual(new Random('x').fork('a').float(), new Random('x').fork('b').float())
})

test('draws should stay in range and have the right averages', () => {
  const r = new Random(42)
  let sum = 0
  let exp = 0
  const n = 100_000
  for (let i = 0; i < n; i++) {
    const f = r.float()
    assert.ok(f >= 0 && f < 1)
    const k = r.between(3, 5)
    assert.ok(k >= 3 && k <= 5 && Number.isInteger(k))
    sum += r.normal()
    exp += r.exponential(2)
  }
  assert.ok(Math.abs(sum / n) < 0.02, 'normal mean 0')
  assert.ok(Math.abs(exp / n - 2) < 0.05, 'exponential mean 2')
  const bytes = r.fill(new Uint8Array(10))
  assert.equal(bytes.length, 10)
  const table = cumulativeWeights([1, 0, 3])
  assert.deepEqual([...table], [1, 1, 4])
  assert.equal(searchCumulative(table, 0.5), 0)
  assert.equal(searchCumulative(table, 1), 2, 'a zero weight is never drawn')
  assert.equal(searchCumulative(table, 3.9), 2)
})
