/**
 * Live updates for the panel as Server-Sent Events: on connect the chart history and the current
 * snapshot, then one `snapshot` event per poll. At most `maxStreams` at once; a client that does
 * not read (its socket buffer above a bound) is disconnected rather than buffered for.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from './auth/auth.ts'
import type { Poller, Snapshot } from './poller.ts'
import { SECURITY_HEADERS } from './static.ts'

const MAX_BUFFERED_BYTES = 1024 * 1024
const KEEPALIVE_MS = 15_000

export class LiveStreams {
  readonly #poller: Poller
  readonly #max: number
  readonly #view: (snapshot: Snapshot) => unknown
  #open = 0

  constructor(options: { poller: Poller; maxStreams: number; view: (snapshot: Snapshot) => unknown }) {
    this.#poller = options.poller
    this.#max = options.maxStreams
    this.#view = options.view
  }

  get open(): number {
    return this.#open
  }

  handle(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    if (this.#open >= this.#max) {
      return sendError(
        reply.header('retry-after', '5'),
        'STREAM_LIMIT',
        `${this.#max} panels already receive live updates; close one or raise CONTROL_MAX_STREAMS`,
      )
    }
    reply.hijack()
    const res = reply.raw
    // hijacked: Fastify's onSend hooks do not run, so the panel's security headers go here
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    this.#open += 1
    let closed = false
    const send = (event: string, data: unknown): void => {
      if (closed) return
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        close()
        return
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    const unsubscribe = this.#poller.subscribe((snapshot) => send('snapshot', this.#view(snapshot)))
    const keepalive = setInterval(() => !closed && res.write(': keep-alive\n\n'), KEEPALIVE_MS)
    const close = (): void => {
      if (closed) return
      closed = true
      this.#open -= 1
      unsubscribe()
      clearInterval(keepalive)
      res.end()
    }
    request.raw.once('close', close)
    res.once('error', close)
    res.write('retry: 2000\n\n')
    send('history', { points: this.#poller.points() })
    send('snapshot', this.#view(this.#poller.snapshot()))
    return undefined
  }
}
