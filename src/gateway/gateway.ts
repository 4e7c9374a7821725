/**
 * What POST /v1/sales does, without HTTP plumbing: check the key, refuse early while paused or
 * full, read and validate the events, apply the key's rate limit, write the valid ones through
 * Ingest and answer. Each step's refusal is a JSON error with a code; refusals that a later
 * retry can overcome carry Retry-After.
 */
import { StateTracker } from '../platform/component-server.ts'
import type { Logger } from '../platform/logger.ts'
import type { TokenBucket } from '../platform/token-bucket.ts'
import { presentedKey, type Keyring } from './api-keys.ts'
import type { GatewayConfig } from './config.ts'
import type { Ingest } from './ingest.ts'
import { bodyFormat, readIntake, type Rejection } from './intake.ts'
import type { GatewayMetrics } from './metrics.ts'
import { httpStatus, type ErrorCode } from '../platform/errors.ts'
import type { DetailsContract } from '../platform/status-details.ts'

export interface GatewayReply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: Readonly<Record<string, unknown>>
}

export interface Admission {
  readonly keyId: string
  readonly limiter: TokenBucket
}

export type GatewaySettings = Pick<
  GatewayConfig,
  'maxBatchEvents' | 'maxInFlightRequests' | 'requestTimeoutMs' | 'retryAfterSec'
> & { readonly sendTimeoutMs: number }

export interface GatewayDeps {
  readonly keyring: Keyring
  readonly ingest: Ingest
  readonly settings: GatewaySettings
  readonly metrics: GatewayMetrics
  readonly logger: Logger
  readonly clock: () => number
}

export class Gateway {
  readonly tracker: StateTracker
  readonly #deps: GatewayDeps
  #paused = false
  #pauseReason: string | null = null
  #inFlightRequests = 0
  #accepted = 0
  #rejected = 0

  constructor(deps: GatewayDeps) {
    this.#deps = deps
    this.tracker = new StateTracker(() => new Date(deps.clock()))
  }

  get paused(): boolean {
    return this.#paused
  }

  get inFlightRequests(): number {
    return this.#inFlightRequests
  }

  pause(reason: string): void {
    if (this.#paused) return
    this.#paused = true
    this.#pauseReason = reason
    this.tracker.set('PAUSED')
    this.#deps.logger.info({ reason }, 'intake paused')
  }

  resume(reason: string): void {
    if (!this.#paused) return
    this.#paused = false
    this.#pauseReason = null
    this.tracker.set('RUNNING')
    this.#deps.logger.info({ reason }, 'intake resumed')
  }

  details(): DetailsContract<'gateway'> {
    const ingest = this.#deps.ingest
    return {
      paused: this.#paused,
      pauseReason: this.#pauseReason,
      inFlightRequests: this.#inFlightRequests,
      inFlightEvents: ingest.inFlightEvents,
      kafkaAvailable: ingest.kafkaAvailable,
      lastKafkaFailure: ingest.lastFailure ?? null,
      eventsAccepted: this.#accepted,
      eventsRejected: this.#rejected,
      apiKeys: this.#deps.keyring.size,
    }
  }

  /** Before the body is read: the key, the pause switch and the request bound. */
  admit(headers: Readonly<Record<string, string | string[] | undefined>>): Admission | GatewayReply {
    const check = this.#deps.keyring.check(presentedKey(headers))
    if (!check.ok) {
      const missing = check.code === 'API_KEY_MISSING'
      const message =
        check.code === 'API_KEY_REVOKED'
          ? 'this API key was revoked; ask for a new one'
          : missing
            ? 'send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`'
            : 'this API key is not known to the gateway'
      return {
        status: httpStatus(check.code),
        ...(check.code === 'API_KEY_REVOKED'
          ? {}
          : { headers: { 'www-authenticate': 'Bearer realm="sretl"' } }),
        body: { code: check.code, message },
      }
    }
    if (this.#paused) {
      return this.#unavailable(
        'GATEWAY_PAUSED',
        `intake is paused by an operator (${this.#pauseReason ?? 'no reason given'}); nothing was written`,
        { reason: this.#pauseReason },
      )
    }
    if (this.#inFlightRequests >= this.#deps.settings.maxInFlightRequests) {
      return this.#unavailable(
        'GATEWAY_OVERLOADED',
        `${this.#inFlightRequests} requests are being handled already; nothing was written`,
      )
    }
    return { keyId: check.id, limiter: check.limiter }
  }

  /** Counts a request as in flight until `done` is called (the response was sent or aborted). */
  track(): () => void {
    this.#inFlightRequests += 1
    let done = false
    return () => {
      if (done) return
      done = true
      this.#inFlightRequests -= 1
    }
  }

  async ingestBody(
    admission: Admission,
    contentType: string | undefined,
    body: Buffer | undefined,
    startedAt: number,
  ): Promise<GatewayReply> {
    const { settings, metrics } = this.#deps
    const format = bodyFormat(contentType)
    if (!format || body === undefined) {
      return {
        status: httpStatus('UNSUPPORTED_MEDIA_TYPE'),
        body: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `send the events as application/json (one event or an array) or application/x-ndjson, not ${contentType ?? 'no Content-Type'}`,
        },
      }
    }
    const intake = readIntake(body, format, settings.maxBatchEvents)
    if (!intake.ok)
      return { status: httpStatus(intake.code), body: { code: intake.code, message: intake.message } }
    metrics.batchEvents.observe(intake.total)

    const limit = admission.limiter.take(intake.total)
    if (!limit.ok) {
      const retryAfterSec = Math.max(1, Math.ceil(limit.retryAfterMs / 1000))
      this.#countRejected(intake.total, 'RATE_LIMITED')
      metrics.throttled.inc({ status: '429' })
      return {
        status: httpStatus('RATE_LIMITED'),
        headers: { 'retry-after': String(retryAfterSec) },
        body: {
          code: 'RATE_LIMITED',
          message: `API key ${admission.keyId} may send ${admission.limiter.ratePerSec} events/s; retry in ${retryAfterSec} s (nothing was written)`,
          retryAfterSec,
          limitPerSec: admission.limiter.ratePerSec,
        },
      }
    }
    for (const r of intake.rejections) this.#countRejected(1, r.code)
    if (intake.events.length === 0) {
      return {
        status: httpStatus('EVENTS_REJECTED'),
        body: {
          code: 'EVENTS_REJECTED',
          message: `none of the ${intake.total} event(s) is valid; nothing was written`,
          ...result(0, 0, [], intake.rejections),
        },
      }
    }
    const remaining = settings.requestTimeoutMs - (this.#deps.clock() - startedAt)
    const outcome = await this.#deps.ingest.submit(
      intake.events.map((e) => ({
        eventId: e.event.event_id,
        key: Buffer.from(e.event.store_id),
        value: e.value,
      })),
      Math.max(1, Math.min(settings.sendTimeoutMs, remaining)),
    )
    if (!outcome.ok) {
      this.#countRejected(intake.events.length, outcome.code)
      this.tracker.recordError(outcome.code, outcome.message)
      return this.#unavailable(outcome.code, outcome.message)
    }
    this.#accepted += intake.events.length
    metrics.events.inc({ outcome: 'accepted', reason: 'new' }, intake.events.length - outcome.duplicates)
    if (outcome.duplicates > 0)
      metrics.events.inc({ outcome: 'accepted', reason: 'duplicate' }, outcome.duplicates)
    const ids = intake.events.map((e) => e.event.event_id)
    return { status: 202, body: result(ids.length, outcome.duplicates, ids, intake.rejections) }
  }

  #countRejected(n: number, reason: string): void {
    this.#rejected += n
    this.#deps.metrics.events.inc({ outcome: 'rejected', reason }, n)
  }

  #unavailable(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GatewayReply {
    const retryAfterSec = this.#deps.settings.retryAfterSec
    const status = httpStatus(code)
    this.#deps.metrics.throttled.inc({ status: String(status) })
    return {
      status,
      headers: { 'retry-after': String(retryAfterSec) },
      body: { code, message, retryAfterSec, ...extra },
    }
  }
}

/** Most rejections listed in one answer (each with at most MAX_ISSUES_PER_EVENT issues). */
export const MAX_REJECTIONS_PER_ANSWER = 100

function result(accepted: number, duplicates: number, ids: string[], rejections: readonly Rejection[]) {
  const listed = rejections.slice(0, MAX_REJECTIONS_PER_ANSWER)
  return {
    accepted,
    duplicates,
    rejected: rejections.length,
    acceptedIds: ids,
    rejections: listed,
    ...(listed.length < rejections.length ? { rejectionsOmitted: rejections.length - listed.length } : {}),
  }
}
