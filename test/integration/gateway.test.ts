import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { newApiKey } from '../../src/gateway/api-keys.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { startComponent, postJson, type RunningComponent } from '../support/components.ts'
import { makeSaleLine } from '../support/events.ts'
import { configFor, createTopicsFor, runCli, testEnv } from '../support/harness.ts'
import { messageCount, readTopic } from '../support/kafka.ts'

const good = newApiKey('till-good')
const slow = newApiKey('till-slow')
const revoked = newApiKey('till-old')
const env = testEnv({
  extra: {
    GATEWAY_API_KEYS: `${good.line}\n${slow.line}:rate=1\n${revoked.line}:revoked`,
    GATEWAY_MAX_BATCH_EVENTS: '50',
    GATEWAY_KEY_BURST: '50',
    GATEWAY_MAX_BODY_BYTES: '65536',
  },
})
const kafka = configFor(env).kafka
const topic = topicNames(kafka).salesEvents
const auth = (key: string) => ({ authorization: `Bearer ${key}` })
let gateway: RunningComponent
/** Every event id the gateway answered 202 for, over all tests of this file. */
const accepted = new Set<string>()

before(async () => {
  await createTopicsFor(kafka)
  gateway = await startComponent('gateway', env)
})
after(() => gateway.stop())

async function send(body: unknown, contentType = 'application/json', key = good.key) {
  const response = await postJson(`${gateway.url}/v1/sales`, body, {
    ...auth(key),
    'content-type': contentType,
  })
  if (response.status === 202) for (const id of response.body.acceptedIds as string[]) accepted.add(id)
  return response
}

/** The topic holds exactly the accepted events, each once, and nothing else. */
async function assertTopicHoldsExactlyTheAccepted(sent: ReadonlyMap<string, SaleLine>): Promise<void> {
  const messages = await readTopic(kafka, topic, accepted.size)
  assert.equal(await messageCount(kafka, topic), accepted.size, 'no message beyond the accepted events')
  const ids = messages.map((m) => (JSON.parse(m.value.toString()) as SaleLine).event_id)
  assert.equal(new Set(ids).size, ids.length, 'each accepted event once')
  assert.deepEqual(new Set(ids), accepted)
  for (const m of messages) {
    const event = JSON.parse(m.value.toString()) as SaleLine
    assert.equal(m.key, event.store_id, 'keyed by store')
    const original = sent.get(event.event_id)
    if (original) assert.deepEqual(event, original, 'the event as sent')
  }
}

test('gateway should put every event it answered 2xx for in the topic exactly once, retries included', async () => {
  const sent = new Map<string, SaleLine>()
  const fresh = (overrides: Partial<SaleLine> = {}) => {
    const event = makeSaleLine({ store_id: `S00${10 + (sent.size % 40)}`, ...overrides })
    sent.set(event.event_id, event)
    return event
  }
  const invalid = () => ({ ...makeSaleLine(), net_amount_minor: -1 })
  const singles = Array.from({ length: 20 }, () => fresh())
  const batches = Array.from({ length: 10 }, () => [
    fresh(),
    invalid(),
    ...Array.from({ length: 17 }, () => fresh()),
    invalid(),
  ])
  const ndjson = Array.from({ length: 5 }, () =>
    [...Array.from({ length: 9 }, () => JSON.stringify(fresh())), '{"broken":'].join('\n'),
  )
  const requests = [
    ...singles.map((e) => send(e)),
    ...batches.map((b) => send(b)),
    ...ndjson.map((body) => send(body, 'application/x-ndjson')),
    // a client retrying while the first attempt is still on its way, and after it was answered
    ...batches.slice(0, 3).map((b) => send(b)),
  ]
  const responses = await Promise.all(requests)
  assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([202]))
  for (const [i, r] of responses.slice(20, 30).entries()) {
    assert.equal(r.body.accepted, 18)
    assert.deepEqual(
      (r.body.rejections as { index: number; code: string }[]).map((x) => [x.index, x.code]),
      [
        [1, 'EVENT_RULE_VIOLATED'],
        [19, 'EVENT_RULE_VIOLATED'],
      ],
      `batch ${i}`,
    )
  }
  const retried = await Promise.all(batches.slice(0, 2).map((b) => send(b)))
  assert.ok(retried.every((r) => r.status === 202 && r.body.duplicates === 18))
  assert.equal(accepted.size, 20 + 10 * 18 + 5 * 9)
  await assertTopicHoldsExactlyTheAccepted(sent)
})

test('gateway should answer 413, 401, 403 and 429 with a JSON code, and write nothing for them', async () => {
  const before = await messageCount(kafka, topic)
  const oversize = await send(
    Array.from({ length: 40 }, () => ({ ...makeSaleLine(), category: 'x'.repeat(1900) })),
  )
  assert.equal(oversize.status, 413)
  assert.equal(oversize.body.code, 'BODY_TOO_LARGE')
  const tooMany = await send(Array.from({ length: 51 }, () => makeSaleLine()))
  assert.deepEqual([tooMany.status, tooMany.body.code], [413, 'BATCH_TOO_LARGE'])

  const missing = await postJson(`${gateway.url}/v1/sales`, makeSaleLine())
  assert.deepEqual([missing.status, missing.body.code], [401, 'API_KEY_MISSING'])
  assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/)
  const unknown = await send(makeSaleLine(), 'application/json', 'sretl_not-a-key')
  assert.deepEqual([unknown.status, unknown.body.code], [401, 'API_KEY_UNKNOWN'])
  const byHeader = await postJson(`${gateway.url}/v1/sales`, makeSaleLine(), { 'x-api-key': revoked.key })
  assert.deepEqual([byHeader.status, byHeader.body.code], [403, 'API_KEY_REVOKED'])

  const burst = await send(
    Array.from({ length: 50 }, () => makeSaleLine()),
    'application/json',
    slow.key,
  )
  assert.equal(burst.status, 202, 'a burst up to the bucket passes')
  const over = makeSaleLine()
  const limited = await send(over, 'application/json', slow.key)
  assert.deepEqual([limited.status, limited.body.code], [429, 'RATE_LIMITED'])
  assert.ok(Number(limited.headers.get('retry-after')) >= 1, 'Retry-After in seconds')
  assert.equal(limited.body.limitPerSec, 1)

  await readTopic(kafka, topic, accepted.size)
  assert.equal(await messageCount(kafka, topic), before + 50, 'only the accepted burst was written')
})

test('gateway should survive 1,000 hostile bodies without a 5xx and without producing anything', async () => {
  const before = await messageCount(kafka, topic)
  let seed = 7
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed % n
  }
  const event = JSON.stringify(makeSaleLine())
  const stringFields = ['event_id', 'store_id', 'register_id', 'receipt_id', 'sku', 'currency', 'event_time']
  const bodies: [Buffer | string, string][] = []
  for (let i = 0; i < 1000; i++) {
    const type = i % 2 === 0 ? 'application/json' : 'application/x-ndjson'
    switch (i % 5) {
      case 0:
        bodies.push([Buffer.from(Array.from({ length: rand(3000) }, () => rand(256))), type])
        break
      case 1: {
        const depth = 1 + rand(20_000)
        const open = rand(2) === 0 ? '['.repeat(depth) : '{"a":'.repeat(depth)
        bodies.push([`${open}1${(rand(2) === 0 ? ']' : '}').repeat(depth)}`, type])
        break
      }
      case 2: {
        const huge = ['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0', '9007199254740993']
        const field = ['quantity', 'unit_price_minor', 'net_amount_minor', 'line_no'][rand(4)] ?? 'quantity'
        const value = huge[rand(huge.length)] ?? '1e400'
        bodies.push([
          event
            .replace(new RegExp(`"${field}":-?\\d+`), `"${field}":${value}`)
            .replace('"quantity":2', '"quantity":0'),
          type,
        ])
        break
      }
      case 3: {
        const wrong = ['{}', '[]', '[1,2]', 'true', 'false', '{"$ref":"#"}', '{"__proto__":{"polluted":1}}']
        const field = stringFields[rand(stringFields.length)] ?? 'sku'
        bodies.push([
          event.replace(new RegExp(`"${field}":"[^"]*"`), `"${field}":${wrong[rand(wrong.length)] ?? '{}'}`),
          type,
        ])
        break
      }
      default: {
        const odd = [
          '\\ud800',
          '\\udfff\\ud800',
          '\u202e\u200b',
          '😀'.repeat(20),
          '\\u0000',
          'ｓｋｕ',
          '\u0301',
        ]
        const field = stringFields[rand(stringFields.length)] ?? 'sku'
        const text = event.replace(
          new RegExp(`"${field}":"[^"]*"`),
          `"${field}":"${odd[rand(odd.length)] ?? ''}"`,
        )
        bodies.push([
          rand(3) === 0
            ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xc0, 0x80]), Buffer.from(text)])
            : text,
          type,
        ])
      }
    }
  }
  const statuses = new Map<number, number>()
  for (const [body, type] of bodies) {
    const response = await fetch(`${gateway.url}/v1/sales`, {
      method: 'POST',
      headers: { ...auth(good.key), 'content-type': type },
      body,
    })
    const parsed = (await response.json()) as { code?: string }
    assert.equal(typeof parsed.code, 'string', 'every refusal is JSON with a code')
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
  }
  assert.deepEqual(
    [...statuses.keys()].filter((s) => ![400, 413, 422].includes(s)),
    [],
    `statuses ${JSON.stringify([...statuses])}`,
  )
  assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200, 'still alive')
  assert.equal(await messageCount(kafka, topic), before, 'nothing produced')
})

test('a paused gateway should answer 503 with Retry-After and the reason until resumed', async () => {
  const urlEnv = { ...env, GATEWAY_URL: gateway.url }
  const paused = await runCli(['pause', 'gateway', '--reason', 'nightly maintenance'], urlEnv)
  assert.equal(paused.code, 0, paused.stderr)
  assert.match(paused.stdout, /gateway: PAUSED/)
  const refused = await send(makeSaleLine())
  assert.equal(refused.status, 503)
  assert.equal(refused.body.code, 'GATEWAY_PAUSED')
  assert.equal(refused.body.reason, 'nightly maintenance')
  assert.ok(Number(refused.headers.get('retry-after')) >= 1)
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text()
  assert.match(metrics, /sretl_gateway_paused\{[^}]*\} 1/)
  assert.match(metrics, /sretl_gateway_throttled_total\{status="503"[^}]*\} 1/)
  const resumed = await runCli(['resume', 'gateway'], urlEnv)
  assert.equal(resumed.code, 0, resumed.stderr)
  assert.equal((await send(makeSaleLine())).status, 202)
})
