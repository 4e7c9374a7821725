import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { readStackState } from '../../src/stack/state.ts'
import { postJson } from '../support/components.ts'
import { makeSaleLine } from '../support/events.ts'
import { runCli, startCli, upEnv, waitFor } from '../support/harness.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

test('a new user’s `sretl up` should show a live stream, take curl-style ingest with the dev key, and obey rate and pause', async () => {
  const env = await upEnv(db.url)
  const up = startCli(['up'], env)
  try {
    await up.waitForLine(/^Ready in /, 180_000)
    assert.match(up.output(), /sretl tail/)
    const state = readStackState(join(env.SRETL_HOME ?? '', 'run'))
    const gateway = state?.services.find((s) => s.name === 'gateway')
    assert.ok(gateway && state?.services.some((s) => s.name === 'simulator'), 'gateway and simulator run')

    const tail = await runCli(['tail', '-n', '5', '--per-second', '0'], env, 60_000)
    assert.equal(tail.code, 0, tail.stderr)
    const lines = tail.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3}Z +S\d{4} /.test(l))
    assert.equal(lines.length, 5, tail.stdout)
    assert.match(lines[0] ?? '', /(SALE|RETURN|VOID) +-?\d+ × \w/)

    const ingest = await waitFor(
      async () => {
        const response = await postJson(`${gateway.address}/v1/sales`, makeSaleLine(), {
          authorization: 'Bearer sretl-dev-key',
        })
        return response.status === 202 ? response : undefined
      },
      { message: 'the gateway accepts the development key' },
    )
    assert.equal(ingest.body.accepted, 1)

    // the control panel: its URL and where the first-run admin's password is, printed by `up`
    const panelLine =
      /^Control panel: (http:\/\/127\.0\.0\.1:\d+)\/ — sign in as admin with the password in (\S+first-run-admin\.txt)/m.exec(
        up.output(),
      )
    assert.ok(panelLine, up.output())
    const [, panel = '', credentials = ''] = panelLine
    assert.equal(statSync(credentials).mode & 0o777, 0o600, 'the credential is readable by its owner only')
    const password = /^password: (\S+)$/m.exec(readFileSync(credentials, 'utf8'))?.[1]
    assert.equal((await fetch(`${panel}/`)).status, 200)
    const login = await postJson(`${panel}/api/v1/login`, { user: 'admin', password })
    assert.equal(login.status, 200, JSON.stringify(login.body))
    const overview = await waitFor(
      async () => {
        const answer = await fetch(`${panel}/api/v1/overview`, {
          headers: { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '' },
        })
        const body = (await answer.json()) as { components: { name: string; state: string }[] }
        return body.components.every((c) => c.state === 'RUNNING') ? body : undefined
      },
      { message: 'the panel shows the live pipeline' },
    )
    assert.deepEqual(
      overview.components.map((c) => c.name),
      ['simulator', 'gateway', 'lander'],
    )

    const rate = await runCli(['rate', '250'], env)
    assert.equal(rate.code, 0, rate.stderr)
    const paused = await runCli(['pause', 'simulator'], env)
    assert.match(paused.stdout, /simulator: PAUSED/)
    const shown = await runCli(['rate'], env)
    assert.match(shown.stdout, /250 events\/s .*paused/)
  } finally {
    const down = await runCli(['down'], env)
    assert.equal(down.code, 0, down.stderr)
    assert.equal(await up.exited, 0)
  }
})
