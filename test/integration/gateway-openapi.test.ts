import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { newApiKey } from '../../src/gateway/api-keys.ts'
import { adminHeaders, startComponent, type RunningComponent } from '../support/components.ts'
import { makeSaleLine } from '../support/events.ts'
import { configFor, createTopicsFor, testEnv } from '../support/harness.ts'

const key = newApiKey('till')
const revoked = newApiKey('old')
const limited = newApiKey('limited')
const env = testEnv({
  extra: {
    GATEWAY_API_KEYS: `${key.line}\n${revoked.line}:revoked\n${limited.line}:rate=1`,
    GATEWAY_MAX_BATCH_EVENTS: '5',
    GATEWAY_KEY_BURST: '5',
    GATEWAY_MAX_BODY_BYTES: '4096',
  },
})
let gateway: RunningComponent
let doc: OpenApi

interface OpenApi {
  paths: Record<string, Record<string, Operation>>
}
interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> }
  responses: Record<
    string,
    { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }
  >
}

before(async () => {
  await createTopicsFor(configFor(env).kafka)
  gateway = await startComponent('gateway', env)
  doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as OpenApi
})
after(() => gateway.stop())

interface Sample {
  readonly name: string
  readonly method: 'get' | 'post'
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string
  readonly status: number
}

const bearer = (k: string) => ({ authorization: `Bearer ${k}` })
const json = { 'content-type': 'application/json' }
const event = () => JSON.stringify(makeSaleLine())

function samples(): Sample[] {
  const sales = (
    name: string,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): Sample => ({
    name,
    method: 'post',
    path: '/v1/sales',
    headers: { ...json, ...bearer(key.key), ...headers },
    body,
    status,
  })
  return [
    sales('one event', 202, event()),
    sales('a batch with an invalid event', 202, `[${event()},{"event_id":"x"}]`),
    sales('NDJSON', 202, `${event()}\n${event()}\n`, { 'content-type': 'application/x-ndjson' }),
    sales('only invalid events', 422, '[{"quantity":1}]'),
    sales('not JSON', 400, '{"event_id":'),
    sales('an empty batch', 400, '[]'),
    sales('too many events', 413, `[${Array.from({ length: 6 }, () => '{}').join(',')}]`),
    sales('a body over the limit', 413, `[${'1,'.repeat(3000)}1]`),
    sales('text/plain', 415, event(), { 'content-type': 'text/plain' }),
    sales('no key', 401, event(), { authorization: '' }),
    sales('an unknown key', 401, event(), bearer('sretl_unknown')),
    sales('a revoked key', 403, event(), bearer(revoked.key)),
    sales(
      'a burst for a slow key',
      202,
      `[${Array.from({ length: 5 }, event).join(',')}]`,
      bearer(limited.key),
    ),
    sales('over the key’s rate', 429, event(), bearer(limited.key)),
    {
      name: 'pause without the admin token',
      method: 'post',
      path: '/pause',
      headers: json,
      body: '{}',
      status: 401,
    },
    {
      name: 'pause as text/plain',
      method: 'post',
      path: '/pause',
      headers: { ...adminHeaders(env), 'content-type': 'text/plain' },
      body: '{}',
      status: 415,
    },
    {
      name: 'pause',
      method: 'post',
      path: '/pause',
      headers: { ...json, ...adminHeaders(env) },
      body: '{"reason":"check"}',
      status: 200,
    },
    sales('while paused', 503, event()),
    {
      name: 'resume',
      method: 'post',
      path: '/resume',
      headers: { ...json, ...adminHeaders(env) },
      body: '{}',
      status: 200,
    },
    { name: 'status', method: 'get', path: '/status', status: 200 },
    { name: 'health', method: 'get', path: '/healthz', status: 200 },
    { name: 'readiness', method: 'get', path: '/readyz', status: 200 },
    { name: 'metrics', method: 'get', path: '/metrics', status: 200 },
    { name: 'this document', method: 'get', path: '/openapi.json', status: 200 },
  ]
}

test('every answer of the gateway should be one its OpenAPI document describes, body and headers included', async () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  ajv.addSchema(doc, 'openapi.json')
  const schemaAt = (pointer: string) => {
    const validate = ajv.getSchema(`openapi.json#${pointer}`)
    assert.ok(validate, `a schema at ${pointer}`)
    return validate
  }
  const escape = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1')
  const covered = new Set<string>()
  for (const sample of samples()) {
    const operation = doc.paths[sample.path]?.[sample.method]
    assert.ok(operation, `${sample.name}: ${sample.method.toUpperCase()} ${sample.path} is documented`)
    covered.add(`${sample.method} ${sample.path}`)
    const base = `/paths/${escape(sample.path)}/${sample.method}`
    const requestType = sample.headers?.['content-type']
    if (sample.status === 202 && requestType && operation.requestBody?.content[requestType]) {
      const validate = schemaAt(`${base}/requestBody/content/${escape(requestType)}/schema`)
      const body = requestType === 'application/json' ? JSON.parse(sample.body ?? 'null') : sample.body
      if (sample.name !== 'a batch with an invalid event')
        assert.ok(validate(body), `${sample.name}: request matches`)
    }
    const response = await fetch(`${gateway.url}${sample.path}`, {
      method: sample.method.toUpperCase(),
      headers: Object.fromEntries(Object.entries(sample.headers ?? {}).filter(([, v]) => v !== '')),
      ...(sample.body === undefined ? {} : { body: sample.body }),
    })
    const text = await response.text()
    assert.equal(response.status, sample.status, `${sample.name}: ${text.slice(0, 300)}`)
    const documented = operation.responses[String(response.status)]
    assert.ok(documented, `${sample.name}: status ${response.status} is documented`)
    for (const header of Object.keys(documented.headers ?? {})) {
      assert.ok(response.headers.get(header), `${sample.name}: header ${header}`)
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0] ?? ''
    assert.ok(documented.content?.[type], `${sample.name}: content type ${type} is documented`)
    if (type === 'application/json') {
      const validate = schemaAt(`${base}/responses/${response.status}/content/${escape(type)}/schema`)
      assert.ok(
        validate(JSON.parse(text)),
        `${sample.name}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 300)}`,
      )
    }
  }
  const documentedOperations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method} ${path}`),
  )
  assert.deepEqual(
    documentedOperations.filter((op) => !covered.has(op)),
    [],
    'every documented operation was exercised',
  )
})
