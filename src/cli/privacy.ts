/**
 * Access and erasure on request (GDPR articles 15 and 17) for the one personal reference the
 * pipeline keeps: `customer_ref`, the HMAC of a loyalty id. Erasure pseudonymises irreversibly:
 * the sale stays (the chain's books and the aggregates need it, and they hold no personal data)
 * and its `customer_ref` becomes NULL. The subject is recorded as the SHA-256 of the reference,
 * in the audit log and in a register file kept outside the database, so the erasure can be applied
 * again after a backup from before it is restored (docs/data-protection.md).
 */
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { customerRef } from '../domain/ids.ts'
import { defineSection, stringVar } from '../platform/config.ts'
import { SretlError } from '../platform/errors.ts'
import { withTransaction, type Pool, type PoolClient } from '../platform/postgres.ts'

const CUSTOMER_REF = /^[0-9a-f]{64}$/

export const privacySection = defineSection(
  {
    PRIVACY_REGISTER_FILE: stringVar(
      'The erasure register `sretl privacy erase` appends to and `sretl privacy reapply` reads (SHA-256 digests of erased customer_refs, never the references). Keep it with the backups, outside the database. Default: $SRETL_HOME/privacy/erasures.jsonl.',
    ),
  },
  (v) => ({
    registerFile: v.PRIVACY_REGISTER_FILE === undefined ? undefined : resolve(v.PRIVACY_REGISTER_FILE),
  }),
)

export const defaultRegisterFile = (home: string): string => join(home, 'privacy', 'erasures.jsonl')

/** The subject of a request, as the reference the events carry. */
export function subjectRef(
  given: { customerRef?: string; loyaltyId?: string },
  loyaltyKey: () => string,
): string {
  if ((given.customerRef === undefined) === (given.loyaltyId === undefined)) {
    throw new SretlError('USAGE', 'name the person with exactly one of --customer-ref or --loyalty-id')
  }
  if (given.loyaltyId !== undefined) {
    if (given.loyaltyId.trim() === '') throw new SretlError('USAGE', '--loyalty-id is empty')
    return customerRef(given.loyaltyId.trim(), loyaltyKey())
  }
  const ref = (given.customerRef ?? '').trim().toLowerCase()
  if (!CUSTOMER_REF.test(ref)) {
    throw new SretlError(
      'USAGE',
      '--customer-ref must be the 64 hex characters of a customer_ref (for a loyalty card number use --loyalty-id)',
    )
  }
  return ref
}

/** What the audit log and the register keep of a subject: a digest, never the reference itself. */
export const subjectDigest = (ref: string): string => createHash('sha256').update(ref).digest('hex')

const DIGEST_SQL = `encode(sha256(convert_to(customer_ref, 'UTF8')), 'hex')`

export interface SubjectExport {
  readonly format: 'sretl-subject-access/1'
  readonly generatedAt: string
  readonly customerRef: string
  /** Every sale line that carries the reference, oldest first. */
  readonly saleLines: readonly Record<string, unknown>[]
  readonly elsewhere: readonly string[]
}

/** Where else the reference may be, for the answer to the person (the policy of data-protection.md). */
export const ELSEWHERE = [
  'Kafka topic sales.events.v1: the raw events, removed by the topic retention (30 days).',
  'Kafka topic sales.events.dlq.v1: events refused as invalid, removed after DLQ_RETENTION_DAYS (30).',
  'Backups made by sretl backup: removed with the backup (keep them at most 35 days).',
  'Aggregate tables: sums per store, hour and product; they hold no customer reference.',
]

export async function exportSubject(pool: Pool, ref: string, now: Date): Promise<SubjectExport> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT event_id, event_type, event_time, store_id, register_id, receipt_id, line_no, sku, category,
            quantity, unit_price_minor::text, discount_minor::text, tax_minor::text, net_amount_minor::text,
            currency, payment_method, promo_id, customer_ref, original_receipt_id, ingested_at
       FROM sales_raw WHERE customer_ref = $1 ORDER BY event_time, receipt_id, line_no`,
    [ref],
  )
  return {
    format: 'sretl-subject-access/1',
    generatedAt: now.toISOString(),
    customerRef: ref,
    saleLines: rows,
    elsewhere: ELSEWHERE,
  }
}

export interface ErasureOutcome {
  readonly digest: string
  /** Sale lines whose customer_ref was removed. */
  readonly erasedLines: number
}

/** Erases one subject in one transaction with its audit row; then records it in the register. */
export async function eraseSubject(
  pool: Pool,
  options: { ref: string; actor: string; registerFile: string; now: Date },
): Promise<ErasureOutcome> {
  const digest = subjectDigest(options.ref)
  const erasedLines = await withTransaction(pool, async (client) => {
    const result = await client.query('UPDATE sales_raw SET customer_ref = NULL WHERE customer_ref = $1', [
      options.ref,
    ])
    const n = result.rowCount ?? 0
    await auditPrivacy(client, options.actor, 'privacy.erase', { subjectSha256: digest, erasedLines: n })
    return n
  })
  mkdirSync(dirname(options.registerFile), { recursive: true, mode: 0o700 })
  appendFileSync(
    options.registerFile,
    `${JSON.stringify({ at: options.now.toISOString(), subjectSha256: digest, erasedLines })}\n`,
    { mode: 0o600 },
  )
  return { digest, erasedLines }
}

/** The digests of every erasure in the register (a missing file is an empty register). */
export function readRegister(file: string): string[] {
  if (!existsSync(file)) return []
  const digests = new Set<string>()
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return
      let digest: unknown
      try {
        digest = (JSON.parse(line) as { subjectSha256?: unknown }).subjectSha256
      } catch {
        digest = undefined
      }
      if (typeof digest !== 'string' || !CUSTOMER_REF.test(digest)) {
        throw new SretlError('USAGE', `${file} line ${i + 1} is not an erasure record`)
      }
      digests.add(digest)
    })
  return [...digests]
}

/** Applies every erasure of the register again (after a restore, or a re-landing from Kafka). */
export async function reapplyErasures(
  pool: Pool,
  options: { digests: readonly string[]; actor: string },
): Promise<number> {
  if (options.digests.length === 0) return 0
  return withTransaction(pool, async (client) => {
    const result = await client.query(
      `UPDATE sales_raw SET customer_ref = NULL WHERE customer_ref IS NOT NULL AND ${DIGEST_SQL} = ANY($1::text[])`,
      [options.digests],
    )
    const n = result.rowCount ?? 0
    await auditPrivacy(client, options.actor, 'privacy.reapply', {
      subjects: options.digests.length,
      erasedLines: n,
    })
    return n
  })
}

async function auditPrivacy(
  client: PoolClient,
  actor: string,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await client.query(
    `INSERT INTO audit_log (actor, role, action, target, result, detail)
     VALUES ($1, current_user, $2, 'sales_raw.customer_ref', 'ok', $3::jsonb)`,
    [actor.slice(0, 200), action, JSON.stringify(detail)],
  )
}
