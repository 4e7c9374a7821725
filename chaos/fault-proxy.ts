/**
 * A TCP proxy between the lander and PostgreSQL that can hurt the connection in the ways the
 * chaos scenarios need: cut it (as a restart looks to the client), add latency to every chunk
 * (a slow server), or lose the reply to the next COMMIT — the server has committed, the client
 * never learns it (the ambiguous commit of ADR 0010, forced as ADR 0065 describes).
 */
import { connect, type Socket } from 'node:net'
import { reopenableListener } from '../test/support/tcp-proxy.ts'

export interface FaultProxy {
  readonly port: number
  /** COMMITs whose reply was dropped so far. */
  readonly commitsDropped: number
  cut(): Promise<void>
  restore(): Promise<void>
  /** Delay, in ms, added to every chunk in both directions (0: none). */
  setLatency(ms: number): void
  /** Drops the reply of the next landing COMMIT (and resets that connection once the server has it). */
  dropNextCommitReply(): void
  close(): Promise<void>
}

// a simple-protocol Query message: 'Q', int32 length, then the SQL text and a NUL
const COMMIT_QUERY = Buffer.from('COMMIT\0')
// the landing transaction stores its offsets just before its COMMIT; other transactions on the
// lander's connections (publishing aggregates, maintenance) do not, so their COMMITs pass
const OFFSETS_WRITE = Buffer.from('INSERT INTO consumer_offsets')

function isCommit(chunk: Buffer): boolean {
  const at = chunk.indexOf(COMMIT_QUERY)
  return at >= 5 && chunk[at - 5] === 0x51 // 'Q'
}

export async function startFaultProxy(targetHost: string, targetPort: number): Promise<FaultProxy> {
  const open = new Set<Socket>()
  let latencyMs = 0
  let armed = false
  let dropped = 0
  const later = (fn: () => void): void => {
    if (latencyMs > 0) setTimeout(fn, latencyMs)
    else fn()
  }
  const handle = (client: Socket): void => {
    const upstream = connect(targetPort, targetHost)
    open.add(client)
    open.add(upstream)
    let swallowing = false
    let landing = false
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.on('data', (chunk: Buffer) => {
      if (chunk.includes(OFFSETS_WRITE)) landing = true
      const commit = isCommit(chunk)
      if (armed && landing && commit) {
        armed = false
        swallowing = true
        dropped += 1
        // the server gets the COMMIT and answers; the answer goes nowhere, and a moment later
        // the connection dies under the client as if the network had failed
        upstream.write(chunk)
        setTimeout(() => {
          client.resetAndDestroy()
          upstream.destroy()
        }, 300)
        return
      }
      if (commit) landing = false
      later(() => upstream.writable && upstream.write(chunk))
    })
    upstream.on('data', (chunk: Buffer) => {
      if (swallowing) return
      later(() => client.writable && client.write(chunk))
    })
  }
  const listener = await reopenableListener(handle, open)
  const stop = (): Promise<void> => listener.cut()
  return {
    get port() {
      return listener.port
    },
    get commitsDropped() {
      return dropped
    },
    cut: stop,
    restore: () => listener.restore(),
    setLatency(ms) {
      latencyMs = ms
    },
    dropNextCommitReply() {
      armed = true
    },
    close: stop,
  }
}
