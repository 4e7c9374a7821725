/**
 * The panel's files (src/control/web/), read once at start and served from memory with strict
 * security headers: nothing is loaded from anywhere but this server (Content-Security-Policy),
 * no framing, no sniffing, no referrer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'

export const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

export function installStatic(app: FastifyInstance, dir: string = WEB_DIR): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS)
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store')
    done(null, payload)
  })
  for (const file of walk(dir)) {
    const type = TYPES[extname(file)]
    if (!type) continue
    const body = readFileSync(file)
    const path = `/${relative(dir, file).split('\\').join('/')}`
    const routes = path === '/index.html' ? ['/', path] : [path]
    for (const route of routes) {
      app.get(route, { config: { access: 'public' } }, (_request, reply) =>
        reply.type(type).header('cache-control', 'no-cache').send(body),
      )
    }
  }
}
