/**
 * The attacker suite, HTTP side, in-process: every route of every component's real server,
 * probed over a real socket (paths sent byte for byte) without credentials, with oddly spelled
 * paths, from a foreign Origin, with text/plain, to a rebinding host name — and each refusal
 * checked to have left the logic behind the route untouched.
 */
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import type { RegisteredRoute } from '../../src/platform/route-access.ts'
import {
  ADMIN_TOKEN,
  buildAllServers,
  OPERATOR_TOKEN,
  VIEWER_TOKEN,
  type BuiltServer,
} from '../support/servers.ts'

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      )
      // a live stream never ends: its status and headers are what the probe needs
      if ((res.headers['content-type'] ?? '').includes('event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
        res.destroy()
      }
    })
    // Node's parser refuses some request targets outright (a backslash): the connection closes
    // with no answer, which serves nothing either; recorded as 400
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code?.startsWith('HPE_')
        ? resolve({ status: 400, headers: {}, body: '' })
        : reject(new Error(`${method} ${path}: ${err.message}`)),
    )
    req.end(body)
  })
}

const SAMPLE: Record<string, string> = { name: 'simulator', partition: '0', offset: '0' }
const concrete = (url: string): string => url.replace(/:(\w+)/g, (_m, p: string) => SAMPLE[p] ?? '1')

/** The same route spelled the ways a router or a proxy might read differently. */
export function variants(path: string): Record<string, string> {
  const segments = path.split('/').filter((s) => s !== '')
  const first = segments[0] ?? ''
  const encodeFirst = (s: string) =>
    s === '' ? s : `%${s.charCodeAt(0).toString(16).padStart(2, '0')}${s.slice(1)}`
  const out: Record<string, string> = {
    'percent-encoded first letter': `/${encodeFirst(first)}${path.slice(first.length + 1)}`,
    'every segment percent-encoded': `/${segments.map(encodeFirst).join('/')}`,
    'encoded slashes': `/${segments.join('%2F')}`,
    'double leading slash': `/${path}`,
    'double slash inside': path.replace(/\/([^/]*)$/, '//$1'),
    'dot segment': `/x/..${path}`,
    'single dot segment': `/.${path}`,
    'encoded dot segment': `/x/%2e%2e${path}`,
    'upper case': path.toUpperCase(),
    'trailing slash': `${path}/`,
    'semicolon parameter': `${path};x=1`,
    backslash: path.replace(/\//g, '\\'),
  }
  if (path === '/') {
    delete out['trailing slash']
    delete out['double slash inside']
  }
  return out
}

const json = { 'content-type': 'application/json' }
const bodyFor = (method: string) => (method === 'GET' || method === 'HEAD' ? undefined : '{}')
const typeFor = (method: string) => (bodyFor(method) === undefined ? {} : json)

let servers: (BuiltServer & { port: number })[] = []

before(async () => {
  servers = await Promise.all(
    buildAllServers().map(async (s) => {
      await s.app.listen({ host: '127.0.0.1', port: 0 })
      return { ...s, port: (s.app.server.address() as AddressInfo).port }
    }),
  )
})
after(async () => {
  await Promise.all(servers.map((s) => s.app.close()))
})

function routesOf(server: BuiltServer): RegisteredRoute[] {
  return server.app.routeAccess.routes().filter((r) => r.method !== 'HEAD' || r.access !== 'public')
}

describe('every route of every component', () => {
  test('each component server should declare an access level on every route, and command routes should not be public', () => {
    for (const server of servers) {
      const routes = server.app.routeAccess.routes()
      assert.ok(routes.length >= 6, `${server.name} lists its routes`)
      for (const r of routes) {
        if (['/pause', '/resume', '/rate', '/maintenance'].includes(r.url)) {
          assert.equal(r.access, 'component-admin', `${server.name} ${r.method} ${r.url}`)
        }
        if (r.url.startsWith('/api/') && r.url !== '/api/v1/login') {
          assert.notEqual(r.access, 'public', `${server.name} ${r.method} ${r.url}`)
        }
        if (['/healthz', '/readyz', '/metrics', '/status'].includes(r.url)) {
          assert.equal(r.access, 'public', `${server.name} ${r.method} ${r.url}`)
        }
      }
    }
  })

  test('a route without credentials should be refused (401/403), never served, on every non-public route', async () => {
    for (const server of servers) {
      for (const r of routesOf(server)) {
        if (r.access === 'public') continue
        const path = concrete(r.url)
        const answer = await send(server.port, r.method, path, typeFor(r.method), bodyFor(r.method))
        assert.ok([401, 403].includes(answer.status), `${server.name} ${r.method} ${path}: ${answer.status}`)
      }
      assert.deepEqual(server.applied, [], `${server.name}: nothing reached the logic`)
    }
  })

  test('an oddly spelled path should be 401, 403 or 404 on every non-public route, and a public route gains nothing from it', async () => {
    for (const server of servers) {
      for (const r of routesOf(server)) {
        const path = concrete(r.url)
        const plain = await send(server.port, r.method, path, typeFor(r.method), bodyFor(r.method))
        for (const [how, variant] of Object.entries(variants(path))) {
          const answer = await send(server.port, r.method, variant, typeFor(r.method), bodyFor(r.method))
          const where = `${server.name} ${r.method} ${variant} (${how}): ${answer.status} (plain ${plain.status})`
          if (r.access === 'public') {
            assert.ok([404, 400, plain.status].includes(answer.status), where)
          } else {
            assert.ok([400, 401, 403, 404].includes(answer.status), where)
          }
        }
      }
      assert.deepEqual(server.applied, [], `${server.name}: nothing reached the logic`)
    }
  })

  test('the probe of the issue, GET /%61pi/v1/overview without credentials, should be refused by the control service', async () => {
    const control = servers.find((s) => s.name === 'control')
    assert.ok(control)
    const answer = await send(control.port, 'GET', '/%61pi/v1/overview')
    assert.equal(answer.status, 401)
    assert.equal(JSON.parse(answer.body).code, 'AUTH_REQUIRED')
    // the same spelling with a credential reaches the same route: the check is on the route
    const session = await send(control.port, 'GET', '/%61pi/v1/session', {
      authorization: `Bearer ${VIEWER_TOKEN}`,
    })
    assert.equal(session.status, 200)
    assert.equal(JSON.parse(session.body).user, 'vera')
  })
})

describe('component command routes', () => {
  const commandRoutes = (server: BuiltServer) =>
    routesOf(server).filter((r) => r.access === 'component-admin')
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

  test('a command with the token but a text/plain body (a cross-site simple POST) should be 415 and change nothing', async () => {
    for (const server of servers) {
      for (const r of commandRoutes(server)) {
        const answer = await send(
          server.port,
          'POST',
          r.url,
          { ...admin, 'content-type': 'text/plain' },
          '{}',
        )
        assert.equal(answer.status, 415, `${server.name} ${r.url}`)
        const form = await send(
          server.port,
          'POST',
          r.url,
          { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
          'ratePerSec=150',
        )
        assert.equal(form.status, 415, `${server.name} ${r.url} form`)
      }
      assert.deepEqual(server.applied, [], server.name)
    }
  })

  test('a command from a foreign Origin or a cross-site fetch should be 403 even with the token', async () => {
    for (const server of servers) {
      for (const r of commandRoutes(server)) {
        const foreign: Record<string, string>[] = [
          { origin: 'https://evil.example' },
          { referer: 'https://evil.example/page' },
          { 'sec-fetch-site': 'cross-site' },
        ]
        for (const headers of foreign) {
          const answer = await send(server.port, 'POST', r.url, { ...admin, ...json, ...headers }, '{}')
          assert.equal(answer.status, 403, `${server.name} ${r.url} ${JSON.stringify(headers)}`)
          assert.equal(JSON.parse(answer.body).code, 'ORIGIN_FORBIDDEN')
        }
      }
      assert.deepEqual(server.applied, [], server.name)
    }
  })

  test('a command addressed to a dotted host name (DNS rebinding) should be 403 even with the token', async () => {
    for (const server of servers) {
      for (const r of commandRoutes(server)) {
        const answer = await send(
          server.port,
          'POST',
          r.url,
          { ...admin, ...json, host: 'rebind.evil.example:8082' },
          '{}',
        )
        assert.equal(answer.status, 403, `${server.name} ${r.url}`)
        assert.equal(JSON.parse(answer.body).code, 'HOST_FORBIDDEN')
      }
    }
  })

  test('a command with a wrong token should be 401; with the token and JSON it should be applied and journalled in /status', async () => {
    const simulator = servers.find((s) => s.name === 'simulator')
    assert.ok(simulator)
    const wrong = await send(
      simulator.port,
      'POST',
      '/rate',
      { ...json, authorization: `Bearer ${ADMIN_TOKEN}x` },
      '{"ratePerSec":150}',
    )
    assert.equal(wrong.status, 401)
    assert.equal(JSON.parse(wrong.body).code, 'ADMIN_TOKEN_INVALID')
    assert.deepEqual(simulator.applied, [])
    const ok = await send(
      simulator.port,
      'POST',
      '/rate',
      { ...json, ...admin, 'x-sretl-command-id': '0193b3c4-0000-7000-8000-000000000001' },
      '{"ratePerSec":150}',
    )
    assert.equal(ok.status, 200)
    assert.deepEqual(simulator.applied, ['rate:150'])
    const status = JSON.parse((await send(simulator.port, 'GET', '/status')).body) as {
      commands: { id: string; action: string; request: Record<string, unknown> }[]
    }
    assert.deepEqual(
      status.commands.map((c) => [c.id, c.action, c.request.ratePerSec]),
      [['0193b3c4-0000-7000-8000-000000000001', 'rate', 150]],
    )
    simulator.applied.length = 0
  })
})

describe('the control API', () => {
  test('a viewer should be refused an operator route at the route, with the refusal audited, and an operator should reach it', async () => {
    const control = servers.find((s) => s.name === 'control')
    assert.ok(control)
    const viewer = await send(
      control.port,
      'POST',
      '/api/v1/components/simulator/pause',
      { ...json, authorization: `Bearer ${VIEWER_TOKEN}` },
      '{}',
    )
    assert.equal(viewer.status, 403)
    assert.equal(JSON.parse(viewer.body).code, 'ROLE_FORBIDDEN')
    assert.deepEqual(
      control.audit.map((a) => [a.actor, a.action, a.target, a.result]),
      [['vera', 'pause', 'simulator', 'refused']],
    )
    assert.deepEqual(control.applied, [])
    const operator = await send(
      control.port,
      'POST',
      '/api/v1/components/simulator/pause',
      { ...json, authorization: `Bearer ${OPERATOR_TOKEN}` },
      '{}',
    )
    assert.equal(operator.status, 200)
    assert.deepEqual(control.applied, ['pause:simulator'])
    control.applied.length = 0
    control.audit.length = 0
  })

  test('a viewer should not read the raw bytes of a dead letter', async () => {
    const control = servers.find((s) => s.name === 'control')
    assert.ok(control)
    const answer = await send(control.port, 'GET', '/api/v1/dead-letters/messages/0/0', {
      authorization: `Bearer ${VIEWER_TOKEN}`,
    })
    assert.equal(answer.status, 403)
  })

  test('the live stream should carry the same security headers as every other answer', async () => {
    const control = servers.find((s) => s.name === 'control')
    assert.ok(control)
    const overview = await send(control.port, 'GET', '/api/v1/limits', {
      authorization: `Bearer ${VIEWER_TOKEN}`,
    })
    const stream = await send(control.port, 'GET', '/api/v1/stream', {
      authorization: `Bearer ${VIEWER_TOKEN}`,
    })
    for (const name of [
      'content-security-policy',
      'x-frame-options',
      'x-content-type-options',
      'referrer-policy',
    ]) {
      assert.ok(stream.headers[name], `stream has ${name}`)
      assert.equal(stream.headers[name], overview.headers[name] ?? stream.headers[name])
    }
  })
})
