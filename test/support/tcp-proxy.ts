/**
 * A TCP proxy between one program under test and a server (PostgreSQL), which the test can cut
 * and restore: cut() resets every open connection and refuses new ones, as a server restart
 * would look to the client — without touching the server that other tests share.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  readonly port: number
  /** Connections accepted so far. */
  readonly connections: number
  cut(): Promise<void>
  restore(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>()
  let accepted = 0
  const handle = (client: Socket): void => {
    accepted += 1
    const upstream = connect(targetPort, targetHost)
    open.add(client)
    open.add(upstream)
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  }
  const listener = await reopenableListener(handle, open)
  const stop = (): Promise<void> => listener.cut()
  return {
    get port() {
      return listener.port
    },
    get connections() {
      return accepted
    },
    cut: stop,
    restore: () => listener.restore(),
    close: stop,
  }
}

/**
 * A listener on 127.0.0.1 that can be cut (every open connection reset, new ones refused) and
 * restored on the same port: what both proxies of the tests need around their own `handle`.
 */
export async function reopenableListener(
  handle: (client: Socket) => void,
  open: Set<Socket>,
): Promise<{ readonly port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  let server: Server | undefined
  let port = 0
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer(handle)
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        const address = s.address()
        if (typeof address === 'object' && address) port = address.port
        server = s
        resolve()
      })
    })
  await listen()
  return {
    get port() {
      return port
    },
    async cut() {
      const s = server
      server = undefined
      for (const socket of open) socket.resetAndDestroy()
      open.clear()
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
    },
    async restore() {
      if (!server) await listen()
    },
  }
}
