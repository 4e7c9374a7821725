/** The gateway's settings (docs/configuration.md, section "gateway"). */
import { boolVar, defineSection, intVar, numberVar, stringVar } from '../platform/config.ts'
import { componentPorts } from '../platform/control-targets.ts'
import { DEV_KEY, DEV_KEY_ID, hashKey, parseApiKeys, type ApiKeyEntry } from './api-keys.ts'

/** The gateway's HTTP port; the CLI reads it too, to find the gateway. */
export const GATEWAY_PORT = componentPorts.gateway

export const gatewaySection = defineSection(
  {
    GATEWAY_PORT,
    GATEWAY_HOST: stringVar('Address the gateway listens on (0.0.0.0 in a container).', '127.0.0.1'),
    GATEWAY_API_KEYS: stringVar(
      'API keys the gateway accepts, one per line or comma-separated: <id>:<sha256 of the key>[:revoked][:rate=<events/s>]. Usually given as a file with GATEWAY_API_KEYS_FILE; `sretl api-key <id>` makes one.',
    ),
    GATEWAY_ALLOW_DEV_KEY: boolVar(
      `Also accept the well-known development key "${DEV_KEY}" (the local stack of \`sretl up\` turns this on when no keys are configured). Never in production.`,
      false,
    ),
    GATEWAY_KEY_RATE_PER_SEC: numberVar(
      'Events per second one API key may send (keys can override it with rate=); more is answered 429 with Retry-After.',
      5000,
      { min: 0 },
    ),
    GATEWAY_KEY_BURST: intVar(
      'Events an API key may send at once above its rate (at least GATEWAY_MAX_BATCH_EVENTS).',
      10_000,
      { min: 1 },
    ),
    GATEWAY_MAX_BODY_BYTES: intVar('Largest request body; larger ones are answered 413.', 5 * 1024 * 1024, {
      min: 1024,
      max: 512 * 1024 * 1024,
    }),
    GATEWAY_MAX_BATCH_EVENTS: intVar('Most events in one request; more are answered 413.', 1000, {
      min: 1,
      max: 100_000,
    }),
    GATEWAY_MAX_IN_FLIGHT_EVENTS: intVar(
      'Most events waiting for Kafka’s acknowledgement; requests beyond it are answered 503 with Retry-After.',
      50_000,
      { min: 1, max: 10_000_000 },
    ),
    GATEWAY_MAX_IN_FLIGHT_REQUESTS: intVar(
      'Most requests being handled at once; more are answered 503 with Retry-After.',
      1000,
      { min: 1, max: 100_000 },
    ),
    GATEWAY_REQUEST_TIMEOUT_MS: intVar(
      'Longest time to receive a request and have its events acknowledged by Kafka (then 503, or 408 for a slow upload).',
      15_000,
      { min: 100, max: 600_000 },
    ),
    GATEWAY_RETRY_AFTER_SEC: intVar('Retry-After of 503 answers (Kafka slow or down, overload, paused).', 2, {
      min: 1,
      max: 3600,
    }),
    GATEWAY_DEDUPE_CACHE_SIZE: intVar(
      'Event ids Kafka acknowledged that the gateway remembers, so a client’s retry is answered without writing the event twice; 0 turns it off.',
      100_000,
      { min: 0, max: 10_000_000 },
    ),
  },
  (v) => {
    const entries: ApiKeyEntry[] = v.GATEWAY_API_KEYS === undefined ? [] : parseApiKeys(v.GATEWAY_API_KEYS)
    if (v.GATEWAY_ALLOW_DEV_KEY && !entries.some((e) => e.id === DEV_KEY_ID)) {
      entries.push({ id: DEV_KEY_ID, hash: hashKey(DEV_KEY), revoked: false, ratePerSec: undefined })
    }
    if (entries.length === 0) {
      throw new Error(
        'GATEWAY_API_KEYS: no API key is configured; set GATEWAY_API_KEYS or GATEWAY_API_KEYS_FILE (`sretl api-key <id>` makes one), or GATEWAY_ALLOW_DEV_KEY=true on a laptop',
      )
    }
    if (v.GATEWAY_KEY_BURST < v.GATEWAY_MAX_BATCH_EVENTS) {
      throw new Error(
        `GATEWAY_KEY_BURST: must be at least GATEWAY_MAX_BATCH_EVENTS (${v.GATEWAY_MAX_BATCH_EVENTS}), or a full batch could never pass`,
      )
    }
    if (v.GATEWAY_MAX_IN_FLIGHT_EVENTS < v.GATEWAY_MAX_BATCH_EVENTS) {
      throw new Error('GATEWAY_MAX_IN_FLIGHT_EVENTS: must be at least GATEWAY_MAX_BATCH_EVENTS')
    }
    return {
      port: v.GATEWAY_PORT,
      host: v.GATEWAY_HOST,
      keys: entries,
      devKeyAllowed: v.GATEWAY_ALLOW_DEV_KEY,
      keyRatePerSec: v.GATEWAY_KEY_RATE_PER_SEC,
      keyBurst: v.GATEWAY_KEY_BURST,
      maxBodyBytes: v.GATEWAY_MAX_BODY_BYTES,
      maxBatchEvents: v.GATEWAY_MAX_BATCH_EVENTS,
      maxInFlightEvents: v.GATEWAY_MAX_IN_FLIGHT_EVENTS,
      maxInFlightRequests: v.GATEWAY_MAX_IN_FLIGHT_REQUESTS,
      requestTimeoutMs: v.GATEWAY_REQUEST_TIMEOUT_MS,
      retryAfterSec: v.GATEWAY_RETRY_AFTER_SEC,
      dedupeCacheSize: v.GATEWAY_DEDUPE_CACHE_SIZE,
    }
  },
)

export type GatewayConfig = ReturnType<typeof gatewaySection.build>
