import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { subjectDigest } from '../../src/cli/privacy.ts'
import { customerRef } from '../../src/domain/ids.ts'
import type { SaleLine } from '../../src/domain/sale-line.ts'
import { seedReference, startAggregatingLander, waitAllPublished } from '../support/aggregates.ts'
import { makeSaleLine } from '../support/events.ts'
import { pipelineEnv, runCli } from '../support/harness.ts'
import { landSales } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase({ setUp: (created) => seedReference(created.pool()) })
const KEY = 'privacy-test-key'

test('a subject should get every sale line of theirs exported, and after erase lose the customer_ref everywhere in sales_raw, with aggregates still exact, an audit row and a register line that re-applies after a restore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sretl-privacy-'))
  const register = join(dir, 'erasures.jsonl')
  const {
    env: base,
    kafka,
    pool,
  } = await pipelineEnv(db, { LANDER_GROUP_ID: 'privacy', AGG_IDLE_MS: '1000' })
  const env = { ...base, SIMULATOR_LOYALTY_KEY: KEY, PRIVACY_REGISTER_FILE: register }
  const alice = customerRef('LY-DE-000001', KEY)
  const bob = customerRef('LY-DE-000002', KEY)
  const start = Date.parse('2026-11-20T09:00:00.000Z')
  const events: SaleLine[] = Array.from({ length: 12 }, (_, i) =>
    makeSaleLine({
      store_id: 'S0001',
      currency: 'EUR',
      event_time: new Date(start + i * 60_000).toISOString(),
      ...(i % 3 === 0 ? {} : { customer_ref: i % 3 === 1 ? alice : bob }),
    }),
  )
  const lander = startAggregatingLander(kafka, db.url, env)
  try {
    await landSales(kafka, pool, 'privacy', events)
    await waitAllPublished(lander)
  } finally {
    await lander.stop()
  }
  const refs = async (ref: string): Promise<number> =>
    Number(
      (
        await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM sales_raw WHERE customer_ref = $1', [
          ref,
        ])
      ).rows[0]?.n,
    )
  assert.equal(await refs(alice), 4)

  // access: by loyalty id, hashed with the chain's key, into a new owner-only file
  const out = join(dir, 'alice.json')
  const exported = await runCli(['privacy', 'export', '--loyalty-id', 'LY-DE-000001', '--out', out], env)
  assert.equal(exported.code, 0, exported.stdout + exported.stderr)
  const answer = JSON.parse(readFileSync(out, 'utf8')) as {
    customerRef: string
    saleLines: { event_id: string }[]
  }
  assert.equal(answer.customerRef, alice)
  assert.deepEqual(
    answer.saleLines.map((l) => l.event_id).sort(),
    events
      .filter((e) => e.customer_ref === alice)
      .map((e) => e.event_id)
      .sort(),
  )
  assert.equal(statSync(out).mode & 0o777, 0o600)
  const again = await runCli(['privacy', 'export', '--customer-ref', alice, '--out', out], env)
  assert.notEqual(again.code, 0, 'an existing answer file is never overwritten')

  // erasure: a dry run first, then for real
  const dry = await runCli(['privacy', 'erase', '--customer-ref', alice], env)
  assert.equal(dry.code, 1)
  assert.match(dry.stdout, /Would erase the customer_ref .* from 4 sale line\(s\)\. Add --yes/)
  assert.equal(await refs(alice), 4)
  const erased = await runCli(['privacy', 'erase', '--customer-ref', alice, '--yes'], env)
  assert.equal(erased.code, 0, erased.stdout + erased.stderr)
  assert.equal(await refs(alice), 0)
  assert.equal(await refs(bob), 4, 'nobody else is touched')
  const rows = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM sales_raw')
  assert.equal(rows.rows[0]?.n, '12', 'the sales stay')
  const audit = await db
    .pool('sretl_owner')
    .query<{ action: string; detail: { subjectSha256: string; erasedLines: number } }>(
      "SELECT action, detail FROM audit_log WHERE action LIKE 'privacy.%'",
    )
  assert.deepEqual(audit.rows, [
    { action: 'privacy.erase', detail: { subjectSha256: subjectDigest(alice), erasedLines: 4 } },
  ])
  const everything = await db
    .pool('sretl_owner')
    .query<{ t: string }>('SELECT audit_log::text AS t FROM audit_log')
  assert.ok(
    everything.rows.every((r) => !r.t.includes(alice)),
    'the audit log keeps a digest, never the reference',
  )
  assert.ok(existsSync(register))
  assert.ok(!readFileSync(register, 'utf8').includes(alice))
  const verified = await runCli(['verify'], env)
  assert.equal(verified.code, 0, verified.stdout + verified.stderr)

  // a backup from before the erasure comes back: the register erases again
  await db
    .pool('sretl_owner')
    .query('UPDATE sales_raw SET customer_ref = $1 WHERE event_id = ANY($2::uuid[])', [
      alice,
      answer.saleLines.map((l) => l.event_id),
    ])
  const reapplied = await runCli(['privacy', 'reapply'], env)
  assert.equal(reapplied.code, 0, reapplied.stdout + reapplied.stderr)
  assert.match(reapplied.stdout, /Applied 1 erasure\(s\) .*: 4 sale line\(s\)/)
  assert.equal(await refs(alice), 0)
  assert.equal(await refs(bob), 4)
})

test('privacy should refuse to hash a loyalty id with the development key in production, and accept a customer_ref', async () => {
  const { env } = await pipelineEnv(db, { NODE_ENV: 'production' })
  const refused = await runCli(['privacy', 'export', '--loyalty-id', 'LY-DE-000001'], env)
  assert.equal(refused.code, 1)
  assert.match(
    refused.stderr,
    /development key in NODE_ENV=production: set SIMULATOR_LOYALTY_KEY_FILE \[LIVE_DEFAULT_REFUSED\]/,
  )
  const byRef = await runCli(['privacy', 'export', '--customer-ref', 'cd'.repeat(32)], env)
  assert.equal(byRef.code, 0, byRef.stderr)
  assert.match(byRef.stdout, /"saleLines": \[\]/)
})
