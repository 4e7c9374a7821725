/**
 * A keep-alive HTTP client of the gateway's `POST /v1/sales` and the request bodies it sends: the
 * project's own client rather than a load-testing tool, so that `sretl load` and the ingest
 * benchmarks pace, count and time exactly the requests a till would send (ADR 0059).
 */
import { Agent, request } from 'node:http'

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
  const { hostname, port } = new URL(url)
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          hostname,
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
