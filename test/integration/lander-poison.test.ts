import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DLQ_HEADERS } from '../../src/lander/dead-letters.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { encodeEvent, makeSaleLine, spreadLine } from '../support/events.ts'
import { configFor, createTopicsFor, testEnv } from '../support/harness.ts'
import {
  endOffsets,
  landedIds,
  metricValue,
  produce,
  readDeadLetters,
  saleEvent,
  startInProcessLander,
  storedOffsets,
  waitCaughtUp,
  type OutgoingEvent,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const kafka = configFor(testEnv()).kafka
const db = useTestDatabase({ setUp: () => createTopicsFor(kafka) })

interface Poison {
  readonly code: string
  readonly event: OutgoingEvent
  /** What error.message must mention. */
  readonly mentions: RegExp
}

test('lander should dead-letter malformed, invalid, database-refused and oversized records with their original bytes and reason headers, and land all the rest', async () => {
  const valid = Array.from({ length: 1200 }, (_, i) => spreadLine(i, 7, 'RC-ok'))
  const tooBig = Buffer.alloc(2 * 1024 * 1024, 'x')
  const poisons: Poison[] = [
    {
      code: 'EVENT_NOT_JSON',
      event: { key: 'S001', value: Buffer.from('{"event_id": "not closed'), headers: { 'trace.id': 't-1' } },
      mentions: /not valid JSON/,
    },
    {
      code: 'EVENT_SCHEMA_INVALID',
      event: { key: 'S002', value: encodeEvent({ ...makeSaleLine(), currency: 'euro' }) },
      mentions: /\/currency/,
    },
    {
      // valid by the v1 contract, refused by the database's CHECK (a SALE never refers to an original receipt)
      code: 'EVENT_DB_REJECTED',
      event: { key: 'S003', value: encodeEvent(makeSaleLine({ original_receipt_id: 'RC-elsewhere' })) },
      mentions: /sales_raw_sale_has_no_original_receipt/,
    },
    {
      // a NUL character is valid JSON text that PostgreSQL cannot store
      code: 'EVENT_DB_REJECTED',
      event: { key: 'S004', value: encodeEvent(makeSaleLine({ category: 'food\u0000drink' })) },
      mentions: /SQLSTATE 22/,
    },
    { code: 'EVENT_TOO_LARGE', event: { key: 'S005', value: tooBig }, mentions: /limit is 65536/ },
  ]
  // poison spread among the valid events, so they share batches with good rows
  const outgoing: OutgoingEvent[] = valid.map(saleEvent)
  poisons.forEach((p, i) => outgoing.splice(100 + i * 230, 0, p.event))
  await produce(kafka, outgoing, 100)

  const running = startInProcessLander(kafka, db.url, {
    env: { LANDER_GROUP_ID: 'poison-lander', LANDER_BATCH_MAX_ROWS: '400', LANDER_BATCH_MAX_WAIT_MS: '200' },
  })
  try {
    const pool = db.pool('sretl_reader')
    await waitCaughtUp(kafka, pool, 'poison-lander')
    const ids = await landedIds(pool)
    assert.equal(ids.length, valid.length, 'every valid event landed')
    assert.deepEqual(new Set(ids), new Set(valid.map((e) => e.event_id)))

    const letters = await readDeadLetters(kafka, poisons.length)
    assert.equal(letters.length, poisons.length)
    const topic = topicNames(kafka).salesEvents
    for (const poison of poisons) {
      const letter = letters.find((l) => l.value.equals(poison.event.value))
      assert.ok(
        letter,
        `${poison.code} (${poison.event.key}) is in the dead-letter topic with its original bytes`,
      )
      assert.equal(letter.key, poison.event.key, 'original key')
      assert.equal(letter.headers.get(DLQ_HEADERS.code), poison.code)
      assert.match(letter.headers.get(DLQ_HEADERS.message) ?? '', poison.mentions)
      assert.equal(letter.headers.get(DLQ_HEADERS.sourceTopic), topic)
      assert.match(letter.headers.get(DLQ_HEADERS.sourcePartition) ?? '', /^[0-5]$/)
      assert.match(letter.headers.get(DLQ_HEADERS.sourceOffset) ?? '', /^\d+$/)
      const firstSeen = Date.parse(letter.headers.get(DLQ_HEADERS.firstSeen) ?? '')
      assert.ok(Math.abs(Date.now() - firstSeen) < 10 * 60_000, 'first.seen is an ISO time of this run')
      for (const [name, value] of Object.entries(poison.event.headers ?? {})) {
        assert.equal(letter.headers.get(name), value, 'original headers travel along')
      }
    }
    const positions = new Set(
      letters.map(
        (l) => `${l.headers.get(DLQ_HEADERS.sourcePartition)}:${l.headers.get(DLQ_HEADERS.sourceOffset)}`,
      ),
    )
    assert.equal(positions.size, poisons.length, 'each dead letter names its own source record')

    const metrics = await running.registry.metrics()
    for (const code of ['EVENT_NOT_JSON', 'EVENT_SCHEMA_INVALID', 'EVENT_TOO_LARGE', 'EVENT_DB_REJECTED']) {
      assert.equal(
        metricValue(metrics, 'sretl_lander_dlq_total', { code }),
        poisons.filter((p) => p.code === code).length,
        `dlq count of ${code}`,
      )
    }
    assert.equal(metricValue(metrics, 'sretl_lander_rows_total'), valid.length)
    // lag recovered: the stored offsets reached the end of every partition
    const stored = await storedOffsets(pool, 'poison-lander', topic)
    const ends = await endOffsets(kafka, topic)
    for (const [p, end] of ends) if (end > 0n) assert.equal(stored.get(p), end, `partition ${p}`)
    assert.ok(running.lander.status().details.partitions.every((p) => p.state === 'RUNNING'))
  } finally {
    await running.stop()
  }
})
