import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ensureKafkaCredentials, serviceAcls, toKafkaAcls } from '../../src/stack/kafka-security.ts'

const dir = mkdtempSync(join(tmpdir(), 'sretl-kafka-sec-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const names = {
  salesEvents: 'p.sales.events.v1',
  salesDlq: 'p.sales.events.dlq.v1',
  aggregatePrefix: 'p.agg.',
  landerGroup: 'sretl-lander',
  controlGroupPrefix: 'sretl-control-dlq-',
}

test('passwords should be generated once per user into 0600 files, all different, and reused', () => {
  const secrets = join(dir, 'secrets')
  const first = ensureKafkaCredentials(secrets)
  assert.equal(statSync(secrets).mode & 0o777, 0o700)
  assert.deepEqual([...first.keys()].sort(), ['broker', 'control', 'gateway', 'lander', 'simulator', 'tools'])
  const passwords = new Set([...first.values()].map((c) => c.password))
  assert.equal(passwords.size, 6)
  for (const c of first.values()) {
    assert.equal(statSync(c.passwordFile).mode & 0o777, 0o600)
    assert.ok(c.password.length >= 32)
    assert.equal(c.created, true)
  }
  const second = ensureKafkaCredentials(secrets)
  for (const [user, c] of second) {
    assert.equal(c.created, false)
    assert.equal(c.password, first.get(user)?.password)
    assert.equal(readFileSync(c.passwordFile, 'utf8').trim(), c.password)
  }
})

test('the gateway and the simulator should only write and describe the events topic', () => {
  for (const user of ['gateway', 'simulator'] as const) {
    const rules = serviceAcls(names).filter((r) => r.principal === user)
    assert.deepEqual(
      rules.map((r) => [r.resource, r.pattern, r.name, [...r.operations].sort().join(',')]),
      [
        ['topic', 'literal', names.salesEvents, 'DESCRIBE,WRITE'],
        ['cluster', 'literal', 'kafka-cluster', 'IDEMPOTENT_WRITE'],
      ],
    )
  }
})

test('no service principal should get delete, alter, create or all, and tools should need no ACL', () => {
  const rules = serviceAcls(names)
  assert.ok(!rules.some((r) => r.principal === 'tools'))
  for (const rule of rules) {
    for (const op of rule.operations)
      assert.ok(
        !['DELETE', 'ALTER', 'CREATE', 'ALL', 'ALTER_CONFIGS'].includes(op),
        `${rule.principal} ${op}`,
      )
  }
  // READ on the events topic: the lander only
  const readers = rules
    .filter((r) => r.name === names.salesEvents && r.operations.includes('READ'))
    .map((r) => r.principal)
  assert.deepEqual(readers, ['lander'])
  // the DLQ (customer data of refused events) is read by control only
  const dlqReaders = rules
    .filter((r) => r.name === names.salesDlq && r.operations.includes('READ'))
    .map((r) => r.principal)
  assert.deepEqual(dlqReaders, ['control'])
})

test('ACLs should become one ALLOW entry per operation for User:<service> on any host', () => {
  const acls = toKafkaAcls(serviceAcls(names))
  assert.equal(
    acls.length,
    serviceAcls(names).reduce((n, r) => n + r.operations.length, 0),
  )
  assert.ok(acls.every((a) => a.principal.startsWith('User:') && a.host === '*' && a.permissionType === 3))
})
