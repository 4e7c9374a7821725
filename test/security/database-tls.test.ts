/**
 * TLS to PostgreSQL against a private cluster set up as secure mode sets it up (ssl on,
 * scram-sha-256, hostssl for the named logins, reject for everything else): the shared system
 * cluster is never reconfigured. The certificates come from a throwaway CA made with openssl.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { rmSync } from 'node:fs'
import { scramVerifier } from '../../src/database/db-logins.ts'
import { createClient, sqlState, type ConnectionSettings } from '../../src/platform/postgres.ts'
import { findFreePort } from '../../src/stack/ports.ts'
import {
  createSecureCluster,
  dropSecureCluster,
  type SecureCluster,
} from '../../src/stack/secure-postgres.ts'
import { isPidAlive } from '../../src/stack/managed-process.ts'
import { listClusters } from '../../src/stack/postgres-server.ts'
import { createThrowawayCa, type ThrowawayCa } from '../support/throwaway-ca.ts'

const LOGIN = 'sretl_tls_probe'
const OUTSIDER = 'sretl_tls_outsider'
const PASSWORD = 'correct horse battery staple tls'
let cluster: SecureCluster | undefined
let ca: ThrowawayCa | undefined
let url = ''

before(async () => {
  // clusters of earlier runs that were killed before their clean-up
  for (const c of await listClusters()) {
    const match = /^sretl_tls_(\d+)$/.exec(c.name)
    if (match && !isPidAlive(Number(match[1]))) await dropSecureCluster(c.version, c.name)
  }
  ca = createThrowawayCa()
  const port = await findFreePort()
  cluster = await createSecureCluster({
    version: '15',
    name: `sretl_tls_${process.pid}`,
    port,
    certFile: ca.serverCert,
    keyFile: ca.serverKey,
    databases: ['sretl'],
    logins: [LOGIN],
  })
  for (const login of [LOGIN, OUTSIDER]) {
    await cluster.adminSql(`CREATE ROLE ${login} LOGIN PASSWORD '${scramVerifier(PASSWORD)}'`)
  }
  await cluster.adminSql('CREATE DATABASE sretl')
  url = `postgres://${LOGIN}@127.0.0.1:${port}/sretl`
})

after(async () => {
  await cluster?.drop()
  if (ca) rmSync(ca.dir, { recursive: true, force: true })
})

async function connect(settings: ConnectionSettings): Promise<string> {
  const client = createClient(settings, { connectTimeoutMs: 5000 })
  try {
    await client.connect()
    const { rows } = await client.query<{ ssl: boolean; version: string }>(
      'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    )
    return rows[0]?.ssl === true ? `tls ${rows[0].version}` : 'plain'
  } catch (err) {
    return sqlState(err) ?? (err as { code?: string }).code ?? String(err)
  } finally {
    await client.end().catch(() => undefined)
  }
}

test('a connection without TLS should be rejected by pg_hba (28000)', async () => {
  assert.equal(await connect({ url, password: PASSWORD, sslMode: 'disable' }), '28000')
})

test('a TLS connection with verify-full and the right CA should be accepted', async () => {
  const outcome = await connect({
    url,
    password: PASSWORD,
    sslMode: 'verify-full',
    sslCaFile: ca?.caCert ?? '',
  })
  assert.match(outcome, /^tls TLSv1\.[23]$/)
})

test('a TLS connection that trusts another CA should be refused by the client before any password is sent', async () => {
  const outcome = await connect({
    url,
    password: PASSWORD,
    sslMode: 'verify-full',
    sslCaFile: ca?.otherCaCert ?? '',
  })
  assert.ok(
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ].includes(outcome),
    outcome,
  )
})

test('over TLS, a login not named in pg_hba and a wrong password should both be refused', async () => {
  const tls = { sslMode: 'verify-full' as const, sslCaFile: ca?.caCert ?? '' }
  assert.equal(await connect({ ...tls, url, password: 'wrong' }), '28P01')
  assert.equal(await connect({ ...tls, url: url.replace(LOGIN, OUTSIDER), password: PASSWORD }), '28000')
})

test('the URL’s own sslmode=verify-full with sslrootcert should work as the variables do', async () => {
  const withParams = `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca?.caCert ?? '')}`
  assert.match(await connect({ url: withParams, password: PASSWORD }), /^tls /)
})
