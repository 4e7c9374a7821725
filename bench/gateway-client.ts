/**
 * What the ingest benchmarks send to a gateway: the settings that take its per-key limits out of
 * the measurement, request bodies of N events, and a keep-alive client that posts them.
 */
import { Agent, request } from 'node:http'

/** A gateway tuned to be measured, not protected: no per-key pacing, no dedupe memory. */
export const GATEWAY_BENCH_ENV = {
  GATEWAY_ALLOW_DEV_KEY: 'true',
  GATEWAY_KEY_RATE_PER_SEC: '100000000',
  GATEWAY_KEY_BURST: '100000000',
  GATEWAY_MAX_BATCH_EVENTS: '1000',
  // the event pool is reused; the dedupe memory would turn later rounds into no-ops
  GATEWAY_DEDUPE_CACHE_SIZE: '0',
} as const

/** Bodies of `batch` events each (a single event as itself, more as a JSON array), at most `max`. */
export function batchBodies(events: readonly Buffer[], batch: number, max = Infinity): Buffer[] {
  const bodies: Buffer[] = []
  for (let i = 0; i + batch <= events.length && bodies.length < max; i += batch) {
    const slice = events.slice(i, i + batch)
    bodies.push(
      batch === 1
        ? (slice[0] ?? Buffer.alloc(0))
        : Buffer.concat([
            Buffer.from('['),
            ...slice.flatMap((p, j) => (j === 0 ? [p] : [Buffer.from(','), p])),
            Buffer.from(']'),
          ]),
    )
  }
  return bodies
}

export interface GatewayPoster {
  /** POST /v1/sales; resolves with the status code. */
  post(body: Buffer): Promise<number>
  close(): void
}

/** A client of `concurrency` kept-alive connections to the gateway at `url`. */
export function gatewayPoster(url: string, concurrency: number, apiKey = 'sretl-dev-key'): GatewayPoster {
  const { port } = new URL(url)
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/sales',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${apiKey}`,
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  return { post, close: () => agent.destroy() }
}
