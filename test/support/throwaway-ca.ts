/**
 * A throwaway certificate authority for TLS tests, made with the system's openssl: a CA, a server
 * certificate it signs for 127.0.0.1/localhost, and a second, unrelated CA to prove that a client
 * trusting the wrong one is refused. (The project's own CA for secure mode is issued elsewhere.)
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ThrowawayCa {
  readonly dir: string
  readonly caCert: string
  readonly serverCert: string
  readonly serverKey: string
  /** A CA that signed nothing here. */
  readonly otherCaCert: string
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`)
  const cert = join(dir, `${name}.crt`)
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2']
      .concat(['-keyout', key, '-out', cert, '-subj', `/CN=${name}`])
      .concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]),
    dir,
  )
  return { cert, key }
}

export function createThrowawayCa(): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-ca-'))
  const ca = makeCa(dir, 'sretl-test-ca')
  const other = makeCa(dir, 'sretl-other-ca')
  const serverKey = join(dir, 'server.key')
  const csr = join(dir, 'server.csr')
  const serverCert = join(dir, 'server.crt')
  const ext = join(dir, 'server.ext')
  writeFileSync(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  )
  openssl(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', serverKey].concat([
      '-out',
      csr,
      '-subj',
      '/CN=127.0.0.1',
    ]),
    dir,
  )
  openssl(
    ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2'].concat([
      '-out',
      serverCert,
      '-extfile',
      ext,
    ]),
    dir,
  )
  return { dir, caCert: ca.cert, serverCert, serverKey, otherCaCert: other.cert }
}
