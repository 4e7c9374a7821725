/**
 * The gateway's OpenAPI 3.1 document, served at GET /openapi.json. The sale_line schema in it is
 * the contract's own (schemas/sale_line.v1.json), and a test sends requests of every kind to the
 * real server and checks each answer against this document.
 */
import { portableSchema } from '../domain/sale-line-validator.ts'

const json = (schema: Record<string, unknown>) => ({ 'application/json': { schema } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
}
const error = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(ref('Error')),
})

export function openApiDocument(): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...saleLine } = portableSchema()
  return {
    openapi: '3.1.0',
    info: {
      title: 'stream-retail-etl ingest gateway',
      version: '1',
      description:
        'Tills and webhooks send sale_line v1 events here. A 202 means every accepted event is in Kafka (acknowledged by all in-sync replicas); events are idempotent by event_id, so retrying a request after a 503, a 429 or a lost answer is always safe.',
    },
    servers: [{ url: 'http://127.0.0.1:8081' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      '/v1/sales': {
        post: {
          operationId: 'ingestSales',
          summary: 'Send one event, a JSON array of events, or NDJSON (one event per line).',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [ref('SaleLine'), { type: 'array', minItems: 1, items: ref('SaleLine') }] },
              },
              'application/x-ndjson': {
                schema: { type: 'string', description: 'One sale_line v1 JSON object per line.' },
              },
            },
          },
          responses: {
            '202': {
              description:
                'Every valid event is in Kafka (accepted, including duplicates already there); invalid ones are listed in rejections with index, field and reason.',
              content: json(ref('IngestResult')),
            },
            '400': error('The body is not JSON (BODY_NOT_JSON) or holds no event (BATCH_EMPTY).'),
            '401': error('No API key (API_KEY_MISSING) or an unknown one (API_KEY_UNKNOWN).'),
            '403': error('The API key was revoked (API_KEY_REVOKED).'),
            '408': error('The request was not received in time (REQUEST_TIMEOUT).'),
            '413': error('The body (BODY_TOO_LARGE) or the batch (BATCH_TOO_LARGE) is too large.'),
            '415': error('The Content-Type is not application/json or application/x-ndjson.'),
            '422': {
              description: 'No event of the request is valid (EVENTS_REJECTED); nothing was written.',
              content: json({ allOf: [ref('Error'), ref('IngestResult')] }),
            },
            '429': error('The API key is over its rate (RATE_LIMITED); nothing was written.', retryAfter),
            '503': error(
              'Nothing was acknowledged: intake paused (GATEWAY_PAUSED), too much in flight (GATEWAY_OVERLOADED), or Kafka slow or down (KAFKA_SEND_TIMEOUT, KAFKA_UNAVAILABLE). Retry the same request later.',
              retryAfter,
            ),
          },
        },
      },
      '/healthz': { get: { summary: 'The process runs.', security: [], responses: { '200': okJson } } },
      '/readyz': {
        get: {
          summary: 'Kafka answers and the sales topic exists.',
          security: [],
          responses: {
            '200': { description: 'Ready.', content: json(ref('Readiness')) },
            '503': { description: 'Not ready, with reasons.', content: json(ref('Readiness')) },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (docs/metrics.md).',
          security: [],
          responses: {
            '200': {
              description: 'Text format 0.0.4.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/status': {
        get: {
          summary: 'ComponentStatus with the gateway’s details.',
          security: [],
          responses: { '200': { description: 'The status.', content: json(ref('ComponentStatus')) } },
        },
      },
      '/pause': control(
        'Pause intake: POST /v1/sales answers 503 GATEWAY_PAUSED until resumed (idempotent).',
      ),
      '/resume': control('Resume intake (idempotent).'),
      '/openapi.json': {
        get: {
          summary: 'This document.',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1.', content: json({ type: 'object' }) } },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        componentAdmin: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Authorization: Bearer <component-admin token> (COMPONENT_ADMIN_TOKEN_FILE; docs/security.md)',
        },
      },
      schemas: schemas(saleLine),
    },
  }
}

const okJson = {
  description: 'OK.',
  content: json({ type: 'object', required: ['ok'], properties: { ok: { const: true } } }),
}

function control(summary: string) {
  return {
    post: {
      summary,
      security: [{ componentAdmin: [] }],
      requestBody: {
        required: true,
        content: json({ type: 'object', properties: { reason: { type: 'string', maxLength: 200 } } }),
      },
      responses: {
        '200': { description: 'The new status.', content: json(ref('ComponentStatus')) },
        '401': {
          description: 'ADMIN_TOKEN_INVALID: no or a wrong component-admin token.',
          content: json(ref('Error')),
        },
        '403': {
          description: 'ORIGIN_FORBIDDEN (another site) or HOST_FORBIDDEN (a dotted host name).',
          content: json(ref('Error')),
        },
        '415': {
          description: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json.',
          content: json(ref('Error')),
        },
      },
    },
  }
}

/** The named schemas of the document: the contract's sale line, errors, rejections, results. */
function schemas(saleLine: Record<string, unknown>): Record<string, unknown> {
  return {
    SaleLine: saleLine,
    Error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable error code (docs/errors.md).' },
        message: { type: 'string' },
        retryAfterSec: { type: 'integer', minimum: 1 },
        limitPerSec: { type: 'number' },
        reason: { type: ['string', 'null'], description: 'Why intake is paused.' },
      },
    },
    Issue: {
      type: 'object',
      required: ['field', 'reason'],
      additionalProperties: false,
      properties: {
        field: { type: 'string', description: 'JSON pointer of the field ("" for the whole event).' },
        reason: { type: 'string' },
      },
    },
    Rejection: {
      type: 'object',
      required: ['index', 'code', 'issues'],
      additionalProperties: false,
      properties: {
        index: {
          type: 'integer',
          minimum: 0,
          description: '0-based position of the event in the request.',
        },
        line: { type: 'integer', minimum: 1, description: 'NDJSON: 1-based line of the body.' },
        eventId: { type: 'string' },
        code: {
          type: 'string',
          enum: ['EVENT_TOO_LARGE', 'EVENT_NOT_JSON', 'EVENT_SCHEMA_INVALID', 'EVENT_RULE_VIOLATED'],
        },
        issues: { type: 'array', items: ref('Issue') },
      },
    },
    IngestResult: {
      type: 'object',
      required: ['accepted', 'duplicates', 'rejected', 'acceptedIds', 'rejections'],
      properties: {
        accepted: { type: 'integer', minimum: 0, description: 'Events now in Kafka.' },
        duplicates: {
          type: 'integer',
          minimum: 0,
          description: 'Of those, events this gateway had already written (a retry); not written again.',
        },
        rejected: { type: 'integer', minimum: 0 },
        acceptedIds: { type: 'array', items: { type: 'string' } },
        rejections: {
          type: 'array',
          maxItems: 100,
          description: 'The first 100 rejections, each with at most 20 issues.',
          items: ref('Rejection'),
        },
        rejectionsOmitted: {
          type: 'integer',
          minimum: 1,
          description: 'Rejections not listed (the answer stays small); `rejected` counts them all.',
        },
      },
    },
    Readiness: {
      type: 'object',
      required: ['ready', 'reasons'],
      properties: { ready: { type: 'boolean' }, reasons: { type: 'array', items: { type: 'string' } } },
    },
    ComponentStatus: {
      type: 'object',
      required: ['component', 'instance', 'state', 'since', 'heartbeatAt', 'details'],
      properties: {
        component: { const: 'gateway' },
        instance: { type: 'string' },
        state: { enum: ['STARTING', 'RUNNING', 'PAUSED', 'FAILED', 'STOPPING'] },
        since: { type: 'string', format: 'date-time' },
        heartbeatAt: { type: 'string', format: 'date-time' },
        lastError: {
          type: 'object',
          required: ['code', 'message', 'at'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, at: { type: 'string' } },
        },
        commands: {
          type: 'array',
          description: 'The commands applied lately (at most 100), for the audit of direct commands.',
          items: { type: 'object', required: ['id', 'seq', 'at', 'action'] },
        },
        details: {
          type: 'object',
          required: ['paused', 'inFlightRequests', 'inFlightEvents', 'kafkaAvailable'],
          properties: {
            paused: { type: 'boolean' },
            pauseReason: { type: ['string', 'null'] },
            inFlightRequests: { type: 'integer' },
            inFlightEvents: { type: 'integer' },
            kafkaAvailable: { type: 'boolean' },
            lastKafkaFailure: { type: ['string', 'null'] },
            eventsAccepted: { type: 'integer' },
            eventsRejected: { type: 'integer' },
            apiKeys: { type: 'integer' },
          },
        },
      },
    },
  }
}
