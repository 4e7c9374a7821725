import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  liveDefaultsOfStack,
  showReady,
  showSupervisionEvent,
  signInHint,
  type ReadyReport,
} from '../../../src/cli/commands/up-report.ts'
import type { Ui } from '../../../src/cli/ui.ts'
import { componentLaunch } from '../../../src/stack/components.ts'

function recordingUi() {
  const out: string[] = []
  const ui: Ui = {
    line: (text = '') => void out.push(text),
    warn: (text) => void out.push(`warn: ${text}`),
    table: (rows, header) => void out.push(...[header ?? [], ...rows].map((r) => r.join(' | '))),
    progress: () => undefined,
  }
  return { ui, out }
}

const report: ReadyReport = {
  services: [
    { name: 'postgres', owned: false, address: 'postgres://127.0.0.1:5432/sretl' },
    { name: 'control', owned: true, pid: 42, address: 'http://127.0.0.1:8080' },
  ],
  monitoring: {
    prometheusUrl: 'http://127.0.0.1:9090',
    missing: [{ name: 'alertmanager', message: 'no am' }],
  },
  panel: { usersFile: '/h/users.json', credentialsFile: '/h/first-run', created: true },
  secure: undefined,
  logsDir: '/h/logs',
  readyMs: 1500,
}

test('up should list what runs, where to look and how long the start took', () => {
  const { ui, out } = recordingUi()
  showReady(ui, report)
  assert.deepEqual(out.slice(0, 5), [
    '',
    'service | address | pid | ',
    'postgres | postgres://127.0.0.1:5432/sretl | - | reused',
    'control | http://127.0.0.1:8080 | 42 | started',
    '',
  ])
  assert.match(
    out[5] ?? '',
    /^Control panel: http:\/\/127.0.0.1:8080\/ — sign in as .* in \/h\/first-run \(created now; first run\)$/,
  )
  assert.ok(out.includes('Not running: no am'))
  assert.ok(out.some((l) => l.startsWith('Prometheus: http://127.0.0.1:9090 (targets:')))
  assert.ok(!out.some((l) => l.startsWith('Watch the stream') || l.startsWith('Secure mode')))
  assert.match(out.at(-1) ?? '', /^Ready in .*`sretl status` shows what runs/)
})

test('up should name the secure mode settings file and the gateway key in secure mode', () => {
  const { ui, out } = recordingUi()
  showReady(ui, {
    ...report,
    secure: { caFile: '/h/tls/ca.crt', toolsEnvFile: '/h/tools.env', gatewayKeyFile: '/h/key' },
  })
  assert.ok(out.some((l) => l.includes('(CA /h/tls/ca.crt)') && l.includes('. /h/tools.env;')))
  assert.ok(out.includes('Gateway API key: in /h/key'))
  assert.match(out.at(-1) ?? '', /^Ready \(secure mode\) in /)
})

test('up should warn of an exit with the log to read, and tell of a restart', () => {
  const { ui, out } = recordingUi()
  const base = { name: 'lander', state: 'restarting', restarts: 1 } as const
  showSupervisionEvent(ui, { ...base, kind: 'exited', message: 'lander exited' }, '/h/logs')
  showSupervisionEvent(
    ui,
    { ...base, kind: 'restarted', state: 'running', message: 'lander restarted' },
    '/h/logs',
  )
  assert.deepEqual(out, ['warn: lander exited; restarting it — see /h/logs/lander.log', 'lander restarted'])
})

test('up should point to the users file when the panel has configured users', () => {
  assert.match(signInHint({ usersFile: '/u.json', created: false }), /sign in with a user of \/u.json/)
})

test('up should name the development defaults only of components that run', () => {
  const url = 'postgres://sretl:sretl@127.0.0.1:5432/sretl'
  const components = [
    componentLaunch('gateway', 'x', { GATEWAY_ALLOW_DEV_KEY: 'true' }),
    componentLaunch('simulator', 'y'),
  ]
  const live = liveDefaultsOfStack({}, url, components)
  assert.equal(live.length, 2)
  assert.match(live[0] ?? '', /^GATEWAY_API_KEYS/)
  assert.deepEqual(liveDefaultsOfStack({ SIMULATOR_LOYALTY_KEY_FILE: '/k' }, url, []), [])
})
