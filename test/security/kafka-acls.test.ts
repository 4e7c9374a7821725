/**
 * The attacker's view of Kafka in secure mode, against a real SASL_SSL broker with the
 * StandardAuthorizer and the stack's ACLs: no credentials, wrong credentials and another
 * service's credentials are refused on produce, consume, describe and delete-topic, with the
 * broker's own error codes; each service's principal can still do its job.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  Admin,
  ConfigResourceTypes,
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  protocolErrorsCodesById,
} from '@platformatic/kafka'
import type { KafkaSecurity } from '../../src/platform/base-config.ts'
import { connection, type ConnectionSettings } from '../../src/platform/kafka.ts'
import { topicNames, type TopicNames } from '../../src/platform/topics.ts'
import { clientSecurity } from '../../src/stack/kafka-security.ts'
import { startSecureBroker, type SecureBroker } from '../support/secure-broker.ts'

let kafka: SecureBroker
let topics: TopicNames

before(async () => {
  kafka = await startSecureBroker()
  topics = topicNames({ topicPrefix: kafka.topicPrefix })
  // the broker's first group creates __consumer_offsets; until then every group answers
  // COORDINATOR_NOT_AVAILABLE, which would hide the refusals the tests look for
  // (and the first producer id waits for the broker to be ready for it)
  await produce(kafka.settings('gateway'), topics.salesEvents, true, 10)
  await consumeOne(kafka.settings('lander'), topics.salesEvents, kafka.landerGroup, 10)
  process.stderr.write(`[kafka-acls] secure broker ready in ${kafka.startMs} ms\n`)
})
after(async () => {
  await kafka?.stop()
})

const ATTEMPT_MS = 20_000

/**
 * Every Kafka error code in an error from the client, nested errors, causes and per-resource
 * response codes included (e.g. TOPIC_AUTHORIZATION_FAILED, SASL_AUTHENTICATION_FAILED), plus
 * the client's own codes (PLT_KFK_NETWORK …).
 */
function kafkaCodes(err: unknown, into = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (!err || typeof err !== 'object' || seen.has(err)) return into
  seen.add(err)
  const e = err as Record<string, unknown>
  if (typeof e.apiId === 'string') into.add(e.apiId)
  if (typeof e.code === 'string') into.add(e.code)
  if (typeof e.errorCode === 'number' && e.errorCode !== 0) {
    into.add(protocolErrorsCodesById[e.errorCode] ?? `KAFKA_ERROR_${e.errorCode}`)
  }
  for (const value of Object.values(e)) if (value && typeof value === 'object') kafkaCodes(value, into, seen)
  // AggregateError's `errors` and Error's `cause` are not enumerable
  if (Array.isArray(e.errors)) for (const inner of e.errors) kafkaCodes(inner, into, seen)
  if (err instanceof Error && err.cause) kafkaCodes(err.cause, into, seen)
  return into
}

/** Resolves to the codes of the refusal, joined; fails the test if the broker allowed it. */
async function refused(attempt: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ATTEMPT_MS} ms`)), ATTEMPT_MS)
  })
  try {
    await Promise.race([attempt(), timeout])
  } catch (err) {
    return [...kafkaCodes(err)].join(' ') || String(err)
  } finally {
    clearTimeout(timer)
  }
  assert.fail('the broker allowed what it must refuse')
}

// the program's connection settings (the one place security is applied), without retries: a
// refused attempt should report at once. The services' producers are idempotent; an attacker's
// need not be (and @platformatic/kafka 2.12's idempotent producer never settles a send whose
// SASL authentication failed: the program's sendWithTimeout bounds that with KAFKA_SEND_TIMEOUT)
async function produce(
  settings: ConnectionSettings,
  topic: string,
  idempotent = true,
  retries = 0,
): Promise<void> {
  const producer = new Producer({ ...connection(settings, 'acl-test'), retries, retryDelay: 500, idempotent })
  try {
    await producer.send({
      messages: [{ topic, key: Buffer.from('k'), value: Buffer.from(randomBytes(8).toString('hex')) }],
    })
  } finally {
    await producer.close().catch(() => undefined)
  }
}

/**
 * Joins `group` and reads one message of `topic` from the beginning, then commits it. Attackers'
 * consumers do not retry (the client would retry a failed authentication until the timeout);
 * the services' own retry as the program's do.
 */
async function consumeOne(
  settings: ConnectionSettings,
  topic: string,
  group: string,
  retries = 0,
): Promise<Buffer> {
  const consumer = new Consumer({
    ...connection(settings, 'acl-test'),
    groupId: group,
    autocommit: false,
    maxWaitTime: 200,
    retries,
    retryDelay: 500,
  })
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    })
    try {
      for await (const message of stream) {
        await consumer.commit({
          offsets: [{ topic, partition: message.partition, offset: message.offset + 1n, leaderEpoch: 0 }],
        })
        return message.value
      }
      throw new Error('stream ended without a message')
    } finally {
      await stream.close().catch(() => undefined)
    }
  } finally {
    await consumer.close(true).catch(() => undefined)
  }
}

async function withAdmin<T>(settings: ConnectionSettings, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ ...connection(settings, 'acl-test'), retries: 0 })
  try {
    return await fn(admin)
  } finally {
    await admin.close().catch(() => undefined)
  }
}

const describeTopic = (settings: ConnectionSettings, topic: string) =>
  withAdmin(settings, (admin) =>
    admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [] }],
    }),
  )
const deleteTopic = (settings: ConnectionSettings, topic: string) =>
  withAdmin(settings, (admin) => admin.deleteTopics({ topics: [topic] }))

/** Messages in a topic so far, read as the administrator. */
async function endOffset(topic: string): Promise<number> {
  return withAdmin(kafka.settings('tools'), async (admin) => {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
    const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0
    const listed = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, timestamp: -1n })),
        },
      ],
    })
    return listed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0)
  })
}

async function topicExists(topic: string): Promise<boolean> {
  return withAdmin(kafka.settings('tools'), async (admin) => (await admin.listTopics()).includes(topic))
}

function tlsOnly(): KafkaSecurity {
  const { caPem } = clientSecurity(kafka.security, 'gateway')
  return { protocol: 'SSL', ...(caPem ? { caPem } : {}) }
}

function wrongPassword(user: string): KafkaSecurity {
  return {
    ...tlsOnly(),
    protocol: 'SASL_SSL',
    sasl: { mechanism: 'SCRAM-SHA-512', username: user, password: { value: 'not-the-password-0123456789' } },
  }
}

/** Produce, consume, describe and delete-topic on the events topic, as `settings`. */
function attempts(settings: ConnectionSettings): [string, () => Promise<unknown>][] {
  return [
    ['produce', () => produce(settings, topics.salesEvents, false)],
    ['consume', () => consumeOne(settings, topics.salesEvents, kafka.landerGroup)],
    ['describe', () => describeTopic(settings, topics.salesEvents)],
    ['delete-topic', () => deleteTopic(settings, topics.salesEvents)],
  ]
}

describe('a client with no credentials', () => {
  test('should be refused on produce, consume, describe and delete-topic when it speaks plaintext', async () => {
    const before = await endOffset(topics.salesEvents)
    const plain = kafka.settingsWith(undefined)
    for (const [operation, attempt] of attempts(plain)) {
      // the client sees the TLS alert ("Broker requires TLS", PLT_KFK_USER) or a dropped connection
      const said = await refused(attempt)
      assert.match(said, /PLT_KFK_USER|PLT_KFK_NETWORK/, `${operation}: ${said}`)
    }
    assert.equal(await endOffset(topics.salesEvents), before, 'nothing was written')
    assert.ok(await topicExists(topics.salesEvents), 'the topic is still there')
  })

  test('should be refused on every operation when it speaks TLS but skips SASL', async () => {
    const before = await endOffset(topics.salesEvents)
    const anonymous = kafka.settingsWith(tlsOnly())
    for (const [operation, attempt] of attempts(anonymous)) {
      const said = await refused(attempt)
      // the broker only answers ApiVersions and SASL before authentication and drops the rest
      assert.match(said, /PLT_KFK_NETWORK/, `${operation}: ${said}`)
    }
    assert.equal(await endOffset(topics.salesEvents), before, 'nothing was written')
    assert.ok(await topicExists(topics.salesEvents), 'the topic is still there')
  })
})

describe('a client with wrong credentials', () => {
  test('should get SASL_AUTHENTICATION_FAILED on produce, consume, describe and delete-topic', async () => {
    const before = await endOffset(topics.salesEvents)
    for (const user of ['gateway', 'tools', 'nobody']) {
      const wrong = kafka.settingsWith(wrongPassword(user))
      for (const [operation, attempt] of attempts(wrong)) {
        const said = await refused(attempt)
        assert.match(said, /SASL_AUTHENTICATION_FAILED/, `${user} ${operation}: ${said}`)
      }
    }
    assert.equal(await endOffset(topics.salesEvents), before, 'nothing was written')
    assert.ok(await topicExists(topics.salesEvents), 'the topic is still there')
  })
})

describe("a client with another service's credentials", () => {
  test('should get TOPIC_AUTHORIZATION_FAILED producing to a topic its principal may not write', async () => {
    const events = await endOffset(topics.salesEvents)
    const dlq = await endOffset(topics.salesDlq)
    // the lander may write the DLQ and aggregates, never the events; the tills may write only events
    assert.match(
      await refused(() => produce(kafka.settings('lander'), topics.salesEvents)),
      /TOPIC_AUTHORIZATION_FAILED/,
    )
    assert.match(
      await refused(() => produce(kafka.settings('gateway'), topics.salesDlq)),
      /TOPIC_AUTHORIZATION_FAILED/,
    )
    assert.match(
      await refused(() => produce(kafka.settings('simulator'), topics.aggregates.sales_minute)),
      /TOPIC_AUTHORIZATION_FAILED/,
    )
    assert.equal(await endOffset(topics.salesEvents), events)
    assert.equal(await endOffset(topics.salesDlq), dlq)
  })

  test('should be refused consuming the events with the lander group or a group of its own', async () => {
    // the gateway holds the lander's topic nowhere: the group check comes first
    assert.match(
      await refused(() => consumeOne(kafka.settings('gateway'), topics.salesEvents, kafka.landerGroup)),
      /GROUP_AUTHORIZATION_FAILED/,
    )
    // control has groups of its own, but may not read the events topic
    assert.match(
      await refused(() =>
        consumeOne(kafka.settings('control'), topics.salesEvents, `${kafka.controlGroupPrefix}x`),
      ),
      /TOPIC_AUTHORIZATION_FAILED/,
    )
    // the simulator reading the dead letters (customer data) with control's group
    assert.match(
      await refused(() =>
        consumeOne(kafka.settings('simulator'), topics.salesDlq, `${kafka.controlGroupPrefix}x`),
      ),
      /GROUP_AUTHORIZATION_FAILED/,
    )
  })

  test("should get TOPIC_AUTHORIZATION_FAILED describing a topic's configuration", async () => {
    for (const user of ['gateway', 'simulator', 'control'] as const) {
      assert.match(
        await refused(() => describeTopic(kafka.settings(user), topics.salesEvents)),
        /TOPIC_AUTHORIZATION_FAILED/,
        user,
      )
    }
  })

  test('should get TOPIC_AUTHORIZATION_FAILED deleting a topic, and the topic should stay', async () => {
    for (const user of ['gateway', 'simulator', 'lander', 'control'] as const) {
      assert.match(
        await refused(() => deleteTopic(kafka.settings(user), topics.salesEvents)),
        /TOPIC_AUTHORIZATION_FAILED/,
        user,
      )
    }
    assert.ok(await topicExists(topics.salesEvents))
  })
})

describe("each service's own principal", () => {
  test('should let the gateway and the simulator produce sales events', async () => {
    const before = await endOffset(topics.salesEvents)
    await produce(kafka.settings('gateway'), topics.salesEvents)
    await produce(kafka.settings('simulator'), topics.salesEvents)
    assert.equal(await endOffset(topics.salesEvents), before + 2)
  })

  test('should let the lander consume with its group, commit, and write the DLQ and aggregates', async () => {
    await produce(kafka.settings('gateway'), topics.salesEvents)
    const value = await consumeOne(kafka.settings('lander'), topics.salesEvents, kafka.landerGroup, 5)
    assert.ok(value.length > 0)
    const committed = await withAdmin(kafka.settings('tools'), (admin) =>
      admin.listConsumerGroupOffsets({ groups: [kafka.landerGroup] }),
    )
    const partitions = committed
      .filter((g) => g.groupId === kafka.landerGroup)
      .flatMap((g) => g.topics.filter((t) => t.name === topics.salesEvents).flatMap((t) => t.partitions))
    assert.ok(
      partitions.some((p) => p.committedOffset > 0n),
      'the lander group committed an offset',
    )
    const dlq = await endOffset(topics.salesDlq)
    const agg = await endOffset(topics.aggregates.top_skus)
    await produce(kafka.settings('lander'), topics.salesDlq)
    await produce(kafka.settings('lander'), topics.aggregates.top_skus)
    assert.equal(await endOffset(topics.salesDlq), dlq + 1)
    assert.equal(await endOffset(topics.aggregates.top_skus), agg + 1)
  })

  test('should let control read the dead letters with its groups and replay to the events topic', async () => {
    await produce(kafka.settings('lander'), topics.salesDlq)
    const value = await consumeOne(
      kafka.settings('control'),
      topics.salesDlq,
      `${kafka.controlGroupPrefix}${randomBytes(3).toString('hex')}`,
      5,
    )
    assert.ok(value.length > 0)
    const before = await endOffset(topics.salesEvents)
    await produce(kafka.settings('control'), topics.salesEvents)
    assert.equal(await endOffset(topics.salesEvents), before + 1)
  })
})
