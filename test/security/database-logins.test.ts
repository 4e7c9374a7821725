/**
 * The attacker's view of the database: every component login (the run's own, created by
 * global-setup.ts exactly as `sretl up` creates sretl_lander, sretl_control, sretl_exporter) is
 * tried on what it must be refused, with the SQLSTATE PostgreSQL answers, and on what it needs.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { baseConfigSection } from '../../src/platform/base-config.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { COMPONENT_LOGINS, rotateLoginPasswords, type LoginComponent } from '../../src/database/db-logins.ts'
import { maintainSalesRawPartitions } from '../../src/database/partition-maintenance.ts'
import { createClient, createPool, sqlState } from '../../src/platform/postgres.ts'
import { componentDatabaseEnv } from '../../src/stack/database-logins.ts'
import { makeSaleLine } from '../support/events.ts'
import {
  componentLogin,
  configFor,
  createTopicsFor,
  removeDir,
  testEnv,
  waitFor,
} from '../support/harness.ts'
import { eventIds, produce, saleEvent, startChildLander } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()

/** Runs one statement as the component's login and returns the SQLSTATE it failed with, or 'ok'. */
async function attempt(component: LoginComponent, sql: string, params: unknown[] = []): Promise<string> {
  const client = createClient(componentLogin(db.url, component).settings, { applicationName: 'sretl-attack' })
  await client.connect()
  try {
    await client.query(sql, params)
    return 'ok'
  } catch (err) {
    return sqlState(err) ?? `no sqlstate: ${String(err)}`
  } finally {
    await client.end()
  }
}

const auditRow = `INSERT INTO audit_log (actor, role, action, target, result) VALUES ('mallory', 'admin', 'x', 'y', 'ok')`
const saleRow = `INSERT INTO sales_raw (event_id, event_type, event_time, store_id, register_id, receipt_id, line_no,
  sku, category, quantity, unit_price_minor, discount_minor, tax_minor, net_amount_minor, currency, payment_method)
  VALUES (gen_random_uuid(), 'SALE', now(), 'S001', 'R1', 'X', 1, 'SKU', 'c', 1, 100, 0, 0, 100, 'EUR', 'CARD')`

const everyLogin = Object.keys(COMPONENT_LOGINS) as LoginComponent[]

test('no component login should be a superuser, hold CREATEROLE/CREATEDB/REPLICATION/BYPASSRLS, or be a member of the owner role', async () => {
  const logins = everyLogin.map((c) => componentLogin(db.url, c).login)
  const { rows } = await db.pool().query<{
    rolname: string
    rolsuper: boolean
    rolcreaterole: boolean
    rolcreatedb: boolean
    rolreplication: boolean
    rolbypassrls: boolean
    owner: boolean
    writer: boolean
  }>(
    `SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
            pg_has_role(rolname, 'sretl_owner', 'MEMBER') AS owner,
            pg_has_role(rolname, 'sretl_writer', 'MEMBER') AS writer
       FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
    [logins],
  )
  assert.equal(rows.length, logins.length)
  for (const row of rows) {
    assert.deepEqual(
      { ...row, rolname: undefined },
      {
        rolname: undefined,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        owner: false,
        writer: false,
      },
      row.rolname,
    )
  }
})

for (const component of everyLogin) {
  test(`the ${component} login should be refused SET ROLE to the owner, DDL on the schema, and creating roles or databases`, async () => {
    assert.equal(await attempt(component, 'SET ROLE sretl_owner'), '42501')
    assert.equal(await attempt(component, 'SET ROLE sretl_writer'), '42501')
    assert.equal(await attempt(component, 'DROP TABLE audit_log'), '42501')
    assert.equal(await attempt(component, 'DROP TABLE sales_raw'), '42501')
    assert.equal(await attempt(component, 'ALTER TABLE audit_log DISABLE TRIGGER ALL'), '42501')
    assert.equal(await attempt(component, 'CREATE TABLE mallory (x int)'), '42501')
    assert.equal(await attempt(component, 'CREATE ROLE mallory LOGIN'), '42501')
    assert.equal(await attempt(component, 'CREATE DATABASE mallory'), '42501')
    assert.equal(await attempt(component, 'TRUNCATE sales_raw'), '42501')
    assert.equal(
      await attempt(component, "SELECT sretl_ensure_sales_raw_partitions('1990-01-01', '1990-01-01')"),
      '42501',
    )
  })
}

test('the control login should append to audit_log and read it, and be refused UPDATE, DELETE and TRUNCATE on it', async () => {
  assert.equal(await attempt('control', auditRow), 'ok')
  assert.equal(await attempt('control', 'SELECT count(*) FROM audit_log'), 'ok')
  assert.equal(await attempt('control', "UPDATE audit_log SET actor = 'nobody'"), '42501')
  assert.equal(await attempt('control', 'DELETE FROM audit_log'), '42501')
  assert.equal(await attempt('control', 'TRUNCATE audit_log'), '42501')
  const { rows } = await db
    .pool()
    .query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE actor = 'mallory'")
  assert.equal(rows[0]?.n, 1)
})

test('the control login should read every table the panel shows and be refused writing the lander’s tables', async () => {
  for (const table of [
    'sales_raw',
    'sales_agg_minute',
    'consumer_offsets',
    'stores',
    'products',
    'top_skus',
  ]) {
    assert.equal(await attempt('control', `SELECT count(*) FROM ${table}`), 'ok', table)
  }
  assert.equal(await attempt('control', saleRow), '42501')
  assert.equal(
    await attempt(
      'control',
      "INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset) VALUES ('g', 't', 0, 0)",
    ),
    '42501',
  )
  assert.equal(await attempt('control', 'DELETE FROM sales_agg_minute'), '42501')
})

test('the lander login should write sales_raw and be refused reading or writing audit_log, deleting landed rows, and dropping a recent partition', async () => {
  assert.equal(await attempt('lander', saleRow), 'ok')
  assert.equal(await attempt('lander', 'SELECT count(*) FROM audit_log'), '42501')
  assert.equal(await attempt('lander', auditRow), '42501')
  assert.equal(await attempt('lander', 'DELETE FROM sales_raw'), '42501')
  assert.equal(await attempt('lander', 'UPDATE sales_raw SET quantity = 0'), '42501')
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '')
  // the maintenance functions refuse a cutoff that is not in the past, and any other audit action
  assert.equal(
    await attempt(
      'lander',
      `SELECT sretl_maintain_drop_partition('sales_raw_p${today}'::regclass, current_date)`,
    ),
    '22023',
  )
  assert.equal(
    await attempt(
      'lander',
      "SELECT sretl_maintain_drop_partition('sales_raw_default'::regclass, '2000-01-01')",
    ),
    '42501',
  )
  assert.equal(
    await attempt('lander', "SELECT sretl_maintain_audit('mallory', 'rate.set', 'x', '{}')"),
    '42501',
  )
})

test('the exporter login should see server statistics and the default-partition count, and be refused the sales and audit rows', async () => {
  assert.equal(await attempt('exporter', 'SELECT count(*) FROM sales_raw_default'), 'ok')
  assert.equal(
    await attempt('exporter', 'SELECT count(*) FROM pg_stat_activity WHERE query IS NOT NULL'),
    'ok',
  )
  assert.equal(await attempt('exporter', 'SELECT count(*) FROM sales_raw'), '42501')
  assert.equal(await attempt('exporter', 'SELECT count(*) FROM audit_log'), '42501')
  assert.equal(await attempt('exporter', 'SELECT count(*) FROM consumer_offsets'), '42501')
  assert.equal(await attempt('exporter', saleRow), '42501')
})

test('partition maintenance should create, drop and audit partitions and apply the audit retention as the lander’s maintainer role', async () => {
  const lander = componentLogin(db.url, 'lander')
  const pool = createPool(
    { ...lander.settings, poolMax: 1, connectTimeoutMs: 5000 },
    { applicationName: 'sretl-test-maintenance', role: 'sretl_maintainer' },
  )
  try {
    // an old day to retire: created by the owner, as a backfill would have
    await db
      .pool('sretl_owner')
      .query("SELECT * FROM sretl_ensure_sales_raw_partitions('2001-02-03', '2001-02-03')")
    // and an audit row past its retention
    await db
      .pool('sretl_owner')
      .query(
        "INSERT INTO audit_log (at, actor, role, action, target, result) VALUES (now() - interval '4000 days', 'old', 'sretl_owner', 'pause', 'lander', 'ok')",
      )
    const result = await maintainSalesRawPartitions(pool, {
      settings: {
        daysAhead: 40,
        daysBack: 1,
        retentionDays: 3650,
        aggregateRetentionDays: 3650,
        auditRetentionDays: 3650,
        eventIdRetentionDays: 30,
        lockTimeoutMs: 5000,
      },
      now: new Date(),
      actor: 'lander',
    })
    assert.deepEqual(result.failures, [])
    assert.ok(result.created.length >= 30, `created ${result.created.length}`)
    assert.deepEqual(
      result.dropped.map((p) => p.day),
      ['2001-02-03'],
    )
    assert.equal(result.prunedAuditRows, 1, 'the maintainer may age out the audit log')
    const { rows } = await db
      .pool()
      .query<{ target: string; role: string }>(
        "SELECT target, role FROM audit_log WHERE action = 'partition.drop'",
      )
    assert.deepEqual(rows, [{ target: 'sales_raw_p20010203', role: 'sretl_owner' }])
  } finally {
    await pool.end()
  }
})

test('lander should land a batch end to end under its own login, and its sessions should run as that login', async () => {
  const lander = componentLogin(db.url, 'lander')
  const env = { ...testEnv({ databaseUrl: db.url }), ...lander.env }
  const kafka = configFor(env).kafka
  await createTopicsFor(kafka)
  const events = Array.from({ length: 200 }, (_, i) =>
    saleEvent(makeSaleLine({ receipt_id: `SEC-${i}`, event_time: new Date().toISOString() })),
  )
  await produce(kafka, events)
  const child = await startChildLander(env)
  try {
    const landed = async (): Promise<string[]> =>
      (
        await db
          .pool()
          .query<{ id: string }>("SELECT event_id::text AS id FROM sales_raw WHERE receipt_id LIKE 'SEC-%'")
      ).rows.map((r) => r.id)
    await waitFor(async () => (await landed()).length >= events.length, {
      timeoutMs: 60_000,
      message: 'the lander did not land the batch',
    })
    assert.deepEqual((await landed()).sort(), eventIds(events).sort())
    const { rows } = await db
      .pool()
      .query<{ usename: string }>(
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'sretl-lander%'",
      )
    assert.deepEqual(
      rows.map((r) => r.usename),
      [lander.login],
    )
  } finally {
    await child.stop()
    removeDir(env.SRETL_HOME ?? '')
  }
})

test('sretl up’s database step should hand the lander and control their own login and the gateway and simulator no credentials', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sretl-logins-'))
  try {
    const postgres = loadConfig({ DATABASE_URL: db.url }, baseConfigSection).postgres
    const prefix = `${process.env.SRETL_TEST_LOGIN_PREFIX ?? 'sretl_t_'}up_`
    const result = await componentDatabaseEnv(postgres, home, { prefix })
    assert.equal(new URL(result.env.lander?.DATABASE_URL ?? '').username, `${prefix}lander`)
    assert.equal(new URL(result.env.lander?.DATABASE_URL ?? '').password, '')
    assert.equal(new URL(result.env.control?.DATABASE_URL ?? '').username, `${prefix}control`)
    for (const name of ['gateway', 'simulator']) {
      assert.deepEqual(result.env[name], {
        DATABASE_URL: '',
        DATABASE_PASSWORD: '',
        DATABASE_PASSWORD_FILE: '',
      })
    }
    assert.equal(new URL(result.exporterUrl ?? '').username, `${prefix}exporter`)
    const dir = join(home, 'secrets')
    assert.equal(statSync(dir).mode & 0o777, 0o700)
    for (const login of result.logins) {
      assert.equal(statSync(login.passwordFile).mode & 0o777, 0o600)
      assert.match(readFileSync(login.passwordFile, 'utf8'), /^[A-Za-z0-9_-]{43}\n$/)
    }
  } finally {
    const prefix = `${process.env.SRETL_TEST_LOGIN_PREFIX ?? 'sretl_t_'}up_`
    for (const c of everyLogin) await db.pool().query(`DROP ROLE IF EXISTS ${prefix}${c}`)
    removeDir(home)
  }
})

test('rotating the passwords should refuse the old password, accept the new file, and keep open sessions', async () => {
  const control = componentLogin(db.url, 'control')
  const old = readFileSync(control.passwordFile, 'utf8').trim()
  const open = createClient(control.settings)
  await open.connect()
  try {
    const admin = loadConfig({ DATABASE_URL: db.url }, baseConfigSection).postgres
    const dir = join(control.passwordFile, '..')
    await rotateLoginPasswords({
      admin,
      dir,
      names: { prefix: process.env.SRETL_TEST_LOGIN_PREFIX ?? '' },
      components: ['control'],
    })
    const fresh = readFileSync(control.passwordFile, 'utf8').trim()
    assert.notEqual(fresh, old)
    const stale = createClient({ url: control.url, password: old })
    await assert.rejects(stale.connect(), (err: unknown) => sqlState(err) === '28P01')
    await stale.end().catch(() => undefined)
    assert.equal(await attempt('control', 'SELECT 1'), 'ok')
    const { rows } = await open.query<{ one: number }>('SELECT 1 AS one')
    assert.equal(rows[0]?.one, 1)
  } finally {
    await open.end()
  }
})
