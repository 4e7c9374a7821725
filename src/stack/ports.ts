/** Port checks for the local stack: say which port is taken and by which setting, before starting anything. */
import { createServer } from 'node:net'
import { SretlError } from '../platform/errors.ts'

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true))
    })
  })
}

/** A port the OS considers free right now (there is a small race until it is used). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ port: 0, host }, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  if (!(await isPortFree(port))) {
    throw new SretlError(
      'PORT_IN_USE',
      `port ${port} (${what}) is already taken by another program; stop it or choose another port with ${variable}`,
      { details: { port, variable } },
    )
  }
}
