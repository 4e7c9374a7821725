/** The dead-letter views and replay commands of the control API (docs/api/control.md). */
import type { FastifyInstance } from 'fastify'
import { actorOf, sendError } from '../auth/auth.ts'
import { sendCommandReply } from '../command-replies.ts'
import { hexDump, isValidUtf8, summarizeDeadLetter, type DlqIndex } from './held-index.ts'
import type { DlqReader } from './reader.ts'
import type { Replayer } from './replay.ts'

export interface DlqDeps {
  readonly index: DlqIndex
  readonly reader: DlqReader
  readonly replayer: Replayer
  readonly topic: string
  readonly settings: {
    readonly maxPerRequest: number
    readonly ratePerSec: number
    readonly maxReplays: number
  }
}

const HEX_MAX_BYTES = 16 * 1024
const TEXT_MAX_BYTES = 256 * 1024

function position(partition: unknown, offset: unknown): { partition: number; offset: bigint } | undefined {
  const p = typeof partition === 'number' ? partition : Number(partition)
  const o = typeof offset === 'number' || typeof offset === 'string' ? String(offset) : ''
  if (!Number.isInteger(p) || p < 0 || !/^\d{1,19}$/.test(o)) return undefined
  return { partition: p, offset: BigInt(o) }
}

export function installDlqRoutes(app: FastifyInstance, deps: DlqDeps): void {
  const { index, replayer } = deps

  const viewer = { config: { access: 'viewer' } } as const
  app.get('/api/v1/dead-letters', viewer, () => ({
    topic: deps.topic,
    total: index.total,
    held: index.held,
    reader: deps.reader.state,
    reasons: index.reasons(),
    replay: deps.settings,
  }))

  app.get<{ Querystring: { reason?: string; limit?: string } }>(
    '/api/v1/dead-letters/messages',
    viewer,
    (request, reply) => {
      const limit = request.query.limit === undefined ? 50 : Number(request.query.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        return sendError(reply, 'REQUEST_INVALID', 'limit must be a whole number from 1 to 500')
      }
      const reason = request.query.reason?.slice(0, 100)
      return {
        messages: index
          .list(reason, limit)
          .map((r) => ({ ...summarizeDeadLetter(r), replayed: replayer.wasReplayed(r) })),
      }
    },
  )

  app.get<{ Params: { partition: string; offset: string } }>(
    '/api/v1/dead-letters/messages/:partition/:offset',
    // the raw bytes may hold what a till sent by mistake (card data, names): not for viewers
    { config: { access: 'operator' } },
    (request, reply) => {
      const at = position(request.params.partition, request.params.offset)
      if (!at) return sendError(reply, 'REQUEST_INVALID', 'partition and offset must be whole numbers ≥ 0')
      const record = index.get(at.partition, at.offset)
      if (!record) {
        return sendError(
          reply,
          'DEAD_LETTER_NOT_FOUND',
          `no dead letter at ${at.partition}/${at.offset} is held`,
        )
      }
      return {
        ...summarizeDeadLetter(record),
        replayed: replayer.wasReplayed(record),
        timestamp: new Date(record.timestamp).toISOString(),
        headers: record.headers.map(([name, value]) => ({ name, value })),
        truncated: record.truncated,
        validUtf8: isValidUtf8(record.value),
        text: record.value.subarray(0, TEXT_MAX_BYTES).toString('utf8'),
        textTruncated: record.value.byteLength > TEXT_MAX_BYTES,
        hex: hexDump(record.value, HEX_MAX_BYTES),
        hexTruncated: record.value.byteLength > HEX_MAX_BYTES,
      }
    },
  )

  installReplayRoute(app, replayer)
}

/** One dead letter by position, or every held one of a reason; answered through command-replies.ts. */
function installReplayRoute(app: FastifyInstance, replayer: Replayer): void {
  app.post(
    '/api/v1/dead-letters/replay',
    { config: { access: 'operator', command: { command: 'dlq.replay', target: 'sales.events.v1' } } },
    async (request, reply) => {
      const body = (request.body ?? {}) as { partition?: unknown; offset?: unknown; reason?: unknown }
      let outcome
      if (typeof body.reason === 'string' && body.reason !== '') {
        outcome = await replayer.reason(actorOf(request), body.reason.slice(0, 100))
      } else {
        const at = position(body.partition, body.offset)
        if (!at) {
          return sendError(
            reply,
            'REQUEST_INVALID',
            'send {"partition": n, "offset": "n"} for one dead letter, or {"reason": "CODE"} for all held of a reason',
          )
        }
        outcome = await replayer.one(actorOf(request), at.partition, at.offset)
      }
      return sendCommandReply(reply, outcome)
    },
  )
}
