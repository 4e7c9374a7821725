import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ensureLocalCa, ensureServerCertificate } from '../../src/stack/local-ca.ts'

const dir = mkdtempSync(join(tmpdir(), 'sretl-ca-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const tls = join(dir, 'tls')
const mode = (file: string) => statSync(file).mode & 0o777

test('the local CA should be made once with private keys, and reused on the next run', async () => {
  const ca = await ensureLocalCa({ dir: tls })
  assert.equal(mode(tls), 0o700)
  assert.equal(mode(ca.keyFile), 0o600)
  const cert = new X509Certificate(readFileSync(ca.certFile))
  assert.ok(cert.ca, 'a CA certificate')
  assert.ok(ca.notAfter.getTime() > Date.now() + 9 * 365 * 86_400_000)
  const again = await ensureLocalCa({ dir: tls })
  assert.equal(readFileSync(again.certFile, 'utf8'), readFileSync(ca.certFile, 'utf8'))
})

test('a server certificate should be signed by the CA with localhost, 127.0.0.1 and the names asked for', async () => {
  const ca = await ensureLocalCa({ dir: tls })
  const issued = await ensureServerCertificate(ca, { name: 'postgres', hosts: ['db.internal'] })
  assert.equal(issued.issued, true)
  assert.equal(mode(issued.keyFile), 0o600)
  const cert = new X509Certificate(readFileSync(issued.certFile))
  assert.ok(cert.verify(new X509Certificate(readFileSync(ca.certFile)).publicKey))
  assert.ok(cert.checkHost('localhost'))
  assert.ok(cert.checkHost('db.internal'))
  assert.ok(cert.checkIP('127.0.0.1'))
  assert.equal(cert.checkHost('evil.example'), undefined)
  assert.match(readFileSync(issued.keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/)

  const reused = await ensureServerCertificate(ca, { name: 'postgres', hosts: ['db.internal'] })
  assert.equal(reused.issued, false)
  // a name it lacks makes it issue again
  const widened = await ensureServerCertificate(ca, { name: 'postgres', hosts: ['db.internal', 'pg'] })
  assert.equal(widened.issued, true)
  assert.ok(new X509Certificate(readFileSync(widened.certFile)).checkHost('pg'))
})

test('a certificate expiring within the renewal window should be issued again', async () => {
  const ca = await ensureLocalCa({ dir: tls })
  const first = await ensureServerCertificate(ca, { name: 'short', validDays: 10, renewWithinDays: 30 })
  const firstSerial = new X509Certificate(readFileSync(first.certFile)).serialNumber
  const second = await ensureServerCertificate(ca, { name: 'short', validDays: 10, renewWithinDays: 30 })
  assert.equal(second.issued, true)
  assert.notEqual(new X509Certificate(readFileSync(second.certFile)).serialNumber, firstSerial)
})

test('a certificate name that could escape the directory should be refused', async () => {
  const ca = await ensureLocalCa({ dir: tls })
  await assert.rejects(ensureServerCertificate(ca, { name: '../x' }), /TLS_SETUP_FAILED|lower-case/)
})
