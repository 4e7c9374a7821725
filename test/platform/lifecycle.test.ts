import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backoffMs, createLifecycle, sleep } from '../../src/platform/lifecycle.ts'
import { silentLogger } from '../../src/platform/logger.ts'

test('lifecycle should stop resources in reverse order, once, even when one fails or hangs', async () => {
  const order: string[] = []
  const lifecycle = createLifecycle({ logger: silentLogger(), stopTimeoutMs: 50 })
  lifecycle.add('database', () => void order.push('database'))
  lifecycle.add('stuck', () => new Promise(() => undefined))
  lifecycle.add('broken', () => {
    order.push('broken')
    throw new Error('boom')
  })
  lifecycle.add('server', async () => {
    await sleep(5)
    order.push('server')
  })
  const first = lifecycle.stop('test')
  const second = lifecycle.stop('again')
  assert.equal(lifecycle.stopping, true)
  await Promise.all([first, second])
  assert.deepEqual(order, ['server', 'broken', 'database'])
  assert.equal(await lifecycle.stopped, 'test')
})

test('sleep should end early when aborted', async () => {
  const controller = new AbortController()
  const started = Date.now()
  setTimeout(() => controller.abort(), 10)
  await sleep(5000, controller.signal)
  assert.ok(Date.now() - started < 1000)
})

test('backoff should grow exponentially with jitter and stay under the cap', () => {
  assert.equal(
    backoffMs(1, 100, 5000, () => 1),
    100,
  )
  assert.equal(
    backoffMs(3, 100, 5000, () => 1),
    400,
  )
  assert.equal(
    backoffMs(3, 100, 5000, () => 0),
    200,
  )
  assert.equal(
    backoffMs(30, 100, 5000, () => 1),
    5000,
  )
})
