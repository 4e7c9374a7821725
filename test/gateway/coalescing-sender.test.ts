import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CoalescingSender } from '../../src/gateway/coalescing-sender.ts'
import type { BytesMessage } from '../../src/platform/kafka.ts'

const message = (n: number): BytesMessage => ({ topic: 't', value: Buffer.from(String(n)) })

test('sends of the same turn should go out as one produce call, and each caller should learn its outcome', async () => {
  const calls: BytesMessage[][] = []
  let fail = false
  const sender = new CoalescingSender((messages) => {
    calls.push(messages)
    return fail ? Promise.reject(new Error('down')) : Promise.resolve()
  }, 5)
  await Promise.all([sender.send([message(1)]), sender.send([message(2), message(3)])])
  assert.deepEqual(
    calls.map((c) => c.map((m) => m.value?.toString())),
    [['1', '2', '3']],
  )

  const full = [
    sender.send([message(4), message(5), message(6), message(7), message(8)]),
    sender.send([message(9)]),
  ]
  await Promise.all(full)
  assert.deepEqual(
    calls.slice(1).map((c) => c.length),
    [5, 1],
    'a full batch goes at once; the rest waits for the turn',
  )

  fail = true
  const outcomes = await Promise.allSettled([sender.send([message(10)]), sender.send([message(11)])])
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
  )
})
