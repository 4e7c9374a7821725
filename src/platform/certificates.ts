/**
 * Reading certificates' expiry (for sretl_control_tls_certificate_expiry_timestamp_seconds and
 * the local CA's renewal): Node's X509Certificate, no openssl needed.
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** The certificates whose expiry is exported; a fixed set keeps the metric's labels bounded. */
export const CERTIFICATE_NAMES = ['ca', 'kafka', 'postgres'] as const
export type CertificateName = (typeof CERTIFICATE_NAMES)[number]

/** When the first certificate of a PEM file stops being valid; undefined when unreadable. */
export function certificateNotAfter(file: string): Date | undefined {
  try {
    return new Date(new X509Certificate(readFileSync(file)).validTo)
  } catch {
    return undefined
  }
}
