import assert from 'node:assert/strict'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { test } from 'node:test'
import { isSretlError } from '../../src/platform/errors.ts'
import type { BytesMessage } from '../../src/platform/kafka.ts'
import { KafkaSender } from '../../src/platform/kafka-sender.ts'

const message = (n: number): BytesMessage => ({ topic: 't', value: Buffer.from(String(n)) })
const values = (calls: BytesMessage[][]): string[][] => calls.map((c) => c.map((m) => String(m.value)))

/** A produce call the test settles by hand, to see what the sender does meanwhile. */
function manualKafka() {
  const calls: BytesMessage[][] = []
  const settlers: { resolve: () => void; reject: (err: Error) => void }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const send = (messages: BytesMessage[]): Promise<void> => {
    calls.push(messages)
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    return new Promise<void>((resolve, reject) => settlers.push({ resolve, reject })).finally(
      () => inFlight--,
    )
  }
  return { calls, settlers, send, maxInFlight: () => maxInFlight }
}

test('sends of the same turn should go out as one produce call, and each caller should learn its outcome', async () => {
  const calls: BytesMessage[][] = []
  let fail = false
  const sender = new KafkaSender(
    (messages) => {
      calls.push(messages)
      return fail ? Promise.reject(new Error('down')) : Promise.resolve()
    },
    { maxBatchMessages: 5, maxQueuedMessages: 100 },
  )
  await Promise.all([sender.send([message(1)]), sender.send([message(2), message(3)])])
  assert.deepEqual(values(calls), [['1', '2', '3']])

  fail = true
  const outcomes = await Promise.allSettled([sender.send([message(10)]), sender.send([message(11)])])
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
  )
  assert.equal(sender.queued, 0)
})

test('the sender should keep one produce call in flight and merge what arrives meanwhile into the next', async () => {
  const kafka = manualKafka()
  const sender = new KafkaSender(kafka.send, { maxBatchMessages: 3, maxQueuedMessages: 100 })
  const first = sender.send([message(1)])
  await nextTurn()
  assert.equal(kafka.calls.length, 1)
  const waiting = [
    sender.send([message(2)]),
    sender.send([message(3), message(4)]),
    sender.send([message(5), message(6)]),
  ]
  await nextTurn()
  assert.equal(kafka.calls.length, 1, 'nothing more goes out while a call is in flight')
  assert.equal(sender.queued, 6)

  kafka.settlers[0]?.resolve()
  await first
  await nextTurn()
  kafka.settlers[1]?.resolve()
  await Promise.all(waiting.slice(0, 2))
  await nextTurn()
  kafka.settlers[2]?.resolve()
  await waiting[2]
  assert.deepEqual(values(kafka.calls), [['1'], ['2', '3', '4'], ['5', '6']], 'groups of at most 3, in order')
  assert.equal(kafka.maxInFlight(), 1)
  assert.equal(sender.queued, 0)
})

test('a failed produce call should fail only its own callers; the next group still goes out', async () => {
  const kafka = manualKafka()
  const sender = new KafkaSender(kafka.send, { maxBatchMessages: 1, maxQueuedMessages: 100 })
  const failing = sender.send([message(1)])
  const next = sender.send([message(2)])
  await nextTurn()
  kafka.settlers[0]?.reject(new Error('broker gone'))
  await assert.rejects(failing, /broker gone/)
  await nextTurn()
  assert.equal(kafka.calls.length, 2)
  kafka.settlers[1]?.resolve()
  await next
  assert.deepEqual(values(kafka.calls), [['1'], ['2']])
})

test('a send beyond the queue bound should be refused at once with KAFKA_UNAVAILABLE, never queued', async () => {
  const kafka = manualKafka()
  const sender = new KafkaSender(kafka.send, { maxBatchMessages: 10, maxQueuedMessages: 3 })
  const accepted = sender.send([message(1), message(2)])
  const refused = await sender.send([message(3), message(4)]).then(
    () => undefined,
    (err: unknown) => err,
  )
  assert.ok(isSretlError(refused))
  assert.equal(refused.code, 'KAFKA_UNAVAILABLE')
  assert.match(refused.message, /2 messages are waiting for Kafka already \(the limit is 3\)/)
  await nextTurn()
  kafka.settlers[0]?.resolve()
  await accepted
  assert.deepEqual(values(kafka.calls), [['1', '2']])
})

test('a produce call that never settles should be abandoned after stuckAfterMs, its callers told KAFKA_SEND_TIMEOUT, and the next send go to the replaced producer', async () => {
  const stuck = manualKafka()
  const fresh = manualKafka()
  let current = stuck
  let replaced = 0
  const sender = new KafkaSender((messages) => current.send(messages), {
    maxBatchMessages: 10,
    maxQueuedMessages: 100,
    stuckAfterMs: 50,
    onStuck: () => {
      replaced++
      current = fresh
    },
  })
  const first = sender.send([message(1)])
  const failure = await first.then(
    () => undefined,
    (err: unknown) => err,
  )
  assert.ok(isSretlError(failure) && failure.code === 'KAFKA_SEND_TIMEOUT', String(failure))
  assert.equal(replaced, 1)
  assert.equal(sender.stuckCalls, 1)
  assert.equal(sender.queued, 0, 'the abandoned messages no longer count against the bound')

  const second = sender.send([message(2)])
  await nextTurn()
  await nextTurn()
  assert.deepEqual(values(fresh.calls), [['2']], 'the next send goes out at once, to the new producer')
  fresh.settlers[0]?.resolve()
  await second
  // the abandoned call settling late changes nothing
  stuck.settlers[0]?.resolve()
  await nextTurn()
  assert.equal(sender.queued, 0)
  assert.equal(replaced, 1)
})
