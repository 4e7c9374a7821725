/**
 * The stack's own certificate authority, made with the OS's `openssl` (nothing downloaded): one CA
 * under $SRETL_HOME/tls and server certificates it signs (Kafka's broker, PostgreSQL's server),
 * all PEM. Created once and reused; a certificate is issued again when it is missing, expires
 * within `renewWithinDays`, was signed by another CA or lacks a wanted name.
 */
import { X509Certificate, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SretlError } from '../platform/errors.ts'
import { runCommand } from './run-command.ts'

export interface LocalCa {
  readonly dir: string
  readonly certFile: string
  readonly keyFile: string
  readonly notAfter: Date
}

export interface IssuedCertificate {
  readonly name: string
  readonly certFile: string
  readonly keyFile: string
  readonly notAfter: Date
  /** True when this call wrote a new certificate (callers restart what uses it). */
  readonly issued: boolean
}

export interface CaOptions {
  /** $SRETL_HOME/tls by default; the directory is made 0700. */
  readonly dir: string
  readonly openssl?: string
  readonly caValidDays?: number
  readonly renewWithinDays?: number
}

export interface CertificateRequest {
  /** File stem and CN: `kafka` gives kafka.crt / kafka.key. Lower-case letters, digits, dashes. */
  readonly name: string
  /** Host names and IP addresses beyond localhost and 127.0.0.1. */
  readonly hosts?: readonly string[]
  readonly validDays?: number
  readonly renewWithinDays?: number
}

const DAY_MS = 86_400_000
const DEFAULT_CA_DAYS = 3650
const DEFAULT_CERT_DAYS = 397
const DEFAULT_RENEW_DAYS = 30

export async function ensureLocalCa(options: CaOptions): Promise<LocalCa> {
  prepareDir(options.dir)
  const certFile = join(options.dir, 'ca.crt')
  const keyFile = join(options.dir, 'ca.key')
  const renewMs = (options.renewWithinDays ?? DEFAULT_RENEW_DAYS) * DAY_MS
  const current = readCertificate(certFile)
  if (current && existsSync(keyFile) && notAfter(current).getTime() - Date.now() > renewMs) {
    return { dir: options.dir, certFile, keyFile, notAfter: notAfter(current) }
  }
  const openssl = options.openssl ?? 'openssl'
  writeSecret(keyFile, await generateKey(openssl))
  await openSsl(openssl, [
    'req',
    '-x509',
    '-new',
    '-key',
    keyFile,
    '-subj',
    '/CN=sretl local CA',
    '-days',
    String(options.caValidDays ?? DEFAULT_CA_DAYS),
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    certFile,
  ])
  chmodSync(certFile, 0o644)
  const made = readCertificate(certFile)
  if (!made)
    throw new SretlError('TLS_SETUP_FAILED', `openssl wrote no readable CA certificate to ${certFile}`)
  return { dir: options.dir, certFile, keyFile, notAfter: notAfter(made) }
}

/** A server (and client: Kafka's controller listener uses it both ways) certificate signed by `ca`. */
export async function ensureServerCertificate(
  ca: LocalCa,
  request: CertificateRequest,
  openssl = 'openssl',
): Promise<IssuedCertificate> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(request.name)) {
    throw new SretlError(
      'TLS_SETUP_FAILED',
      `certificate name "${request.name}" must be lower-case letters, digits and dashes`,
    )
  }
  const certFile = join(ca.dir, `${request.name}.crt`)
  const keyFile = join(ca.dir, `${request.name}.key`)
  const names = subjectAltNames(request.hosts ?? [])
  const renewMs = (request.renewWithinDays ?? DEFAULT_RENEW_DAYS) * DAY_MS
  const current = readCertificate(certFile)
  const caCert = readCertificate(ca.certFile)
  if (current && caCert && existsSync(keyFile) && stillGood(current, caCert, names, renewMs)) {
    return { name: request.name, certFile, keyFile, notAfter: notAfter(current), issued: false }
  }

  writeSecret(keyFile, await generateKey(openssl))
  const csrFile = join(ca.dir, `${request.name}.csr`)
  const extFile = join(ca.dir, `${request.name}.ext`)
  writeFileSync(
    extFile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${names.join(',')}`,
      '',
    ].join('\n'),
  )
  try {
    await openSsl(openssl, ['req', '-new', '-key', keyFile, '-subj', `/CN=${request.name}`, '-out', csrFile])
    await openSsl(openssl, [
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      // a random serial: no serial file to keep, and no two certificates of this CA share one
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      String(request.validDays ?? DEFAULT_CERT_DAYS),
      '-extfile',
      extFile,
      '-out',
      certFile,
    ])
  } finally {
    rmSync(csrFile, { force: true })
    rmSync(extFile, { force: true })
  }
  chmodSync(certFile, 0o644)
  const made = readCertificate(certFile)
  if (!made) throw new SretlError('TLS_SETUP_FAILED', `openssl wrote no readable certificate to ${certFile}`)
  return { name: request.name, certFile, keyFile, notAfter: notAfter(made), issued: true }
}

function stillGood(
  cert: X509Certificate,
  ca: X509Certificate,
  names: readonly string[],
  renewMs: number,
): boolean {
  if (notAfter(cert).getTime() - Date.now() <= renewMs) return false
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false
  const have = new Set(
    (cert.subjectAltName ?? '').split(',').map((s) => s.trim().replace(/^IP Address:/, 'IP:')),
  )
  return names.every((n) => have.has(n))
}

function subjectAltNames(hosts: readonly string[]): string[] {
  const all = new Set(['localhost', '127.0.0.1', ...hosts])
  return [...all].map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`))
}

function readCertificate(file: string): X509Certificate | undefined {
  try {
    return new X509Certificate(readFileSync(file))
  } catch {
    return undefined
  }
}

function notAfter(cert: X509Certificate): Date {
  return new Date(cert.validTo)
}

/** PKCS#8 P-256 key on stdout: Kafka's PEM keystore reads PKCS#8 only, PostgreSQL reads it too. */
async function generateKey(openssl: string): Promise<string> {
  const result = await runCommand(
    openssl,
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    {
      timeoutMs: 30_000,
    },
  )
  if (result.missing) throw opensslMissing(openssl)
  if (result.code !== 0 || !result.output.includes('BEGIN PRIVATE KEY')) {
    throw new SretlError('TLS_SETUP_FAILED', `openssl genpkey failed: ${result.output.slice(-300)}`)
  }
  const pem = result.output.slice(result.output.indexOf('-----BEGIN PRIVATE KEY-----'))
  return `${pem.slice(0, pem.indexOf('-----END PRIVATE KEY-----') + 25)}\n`
}

async function openSsl(openssl: string, args: readonly string[]): Promise<void> {
  const result = await runCommand(openssl, args, { timeoutMs: 30_000 })
  if (result.missing) throw opensslMissing(openssl)
  if (result.code !== 0) {
    throw new SretlError('TLS_SETUP_FAILED', `openssl ${args[0]} failed: ${result.output.slice(-300)}`)
  }
}

function opensslMissing(openssl: string): SretlError {
  return new SretlError('TLS_SETUP_FAILED', `${openssl} is not installed; install the openssl package`)
}

function prepareDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

/** Written with mode 0600 from the start: a key is never readable by others, not even briefly. */
export function writeSecret(file: string, content: string): void {
  rmSync(file, { force: true })
  writeFileSync(file, content, { mode: 0o600 })
  chmodSync(file, 0o600)
}
