import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { migrate } from '../../src/database/migrations.ts'
import { ensureSalesRawPartitions, utcDay } from '../../src/database/partitions.ts'
import { sqlState } from '../../src/platform/postgres.ts'
import { createTestDatabase, type TestDatabase } from '../support/harness.ts'

function saleRow(eventTime: string): unknown[] {
  return [
    crypto.randomUUID(),
    'SALE',
    eventTime,
    'S001',
    'R1',
    'RC1',
    1,
    'SKU1',
    'grocery',
    1,
    199,
    0,
    0,
    199,
    'EUR',
    'CARD',
  ]
}
const INSERT = `INSERT INTO sales_raw (event_id, event_type, event_time, store_id, register_id, receipt_id, line_no, sku, category,
  quantity, unit_price_minor, discount_minor, tax_minor, net_amount_minor, currency, payment_method)
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`

describe('migrations', () => {
  let empty: TestDatabase
  before(async () => {
    empty = await createTestDatabase()
    // an empty database: undo the template's schema so migrations start from nothing
    const c = new pg.Client({ connectionString: empty.url })
    await c.connect()
    // every table and function of the schema, so a new migration cannot be forgotten here
    await c.query(`DO $$
      DECLARE t text;
      BEGIN
        FOR t IN SELECT format('%I', tablename) FROM pg_tables WHERE schemaname = 'public' LOOP
          EXECUTE 'DROP TABLE IF EXISTS ' || t || ' CASCADE';
        END LOOP;
        FOR t IN SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'public' LOOP
          EXECUTE 'DROP FUNCTION IF EXISTS ' || t || ' CASCADE';
        END LOOP;
      END $$`)
    await c.end()
  })
  after(() => empty.drop())

  test('two concurrent migrate runs should both succeed and apply each migration once, and a third run should be a no-op', async () => {
    const [a, b] = await Promise.all([migrate(empty.url), migrate(empty.url)])
    assert.equal(
      a.applied.length + b.applied.length,
      a.latestVersion,
      'each migration applied by exactly one run',
    )
    assert.ok(
      a.applied.length === 0 || b.applied.length === 0,
      'the second run waited for the first and found nothing to do',
    )
    const again = await migrate(empty.url)
    assert.equal(again.applied.length, 0)
    assert.equal(again.alreadyApplied, again.latestVersion)
    const pool = empty.pool()
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')
    assert.equal(rows[0]?.n, again.latestVersion)
  })
})

describe('sales_raw partitions and roles', () => {
  let db: TestDatabase
  before(async () => {
    db = await createTestDatabase()
  })
  after(() => db.drop())

  test('rows of two different days should land in two different daily partitions, and a row far outside them in the default partition', async () => {
    const owner = db.pool('sretl_owner')
    await ensureSalesRawPartitions(owner, '2031-03-01', '2031-03-02')
    const writer = db.pool('sretl_writer')
    await writer.query(INSERT, saleRow('2031-03-01T23:59:59.999Z'))
    await writer.query(INSERT, saleRow('2031-03-02T00:00:00.000Z'))
    await writer.query(INSERT, saleRow('1999-12-31T12:00:00.000Z'))
    const { rows } = await owner.query<{ part: string; event_time: Date }>(
      'SELECT tableoid::regclass::text AS part, event_time FROM sales_raw ORDER BY event_time',
    )
    assert.deepEqual(
      rows.map((r) => r.part),
      ['sales_raw_default', 'sales_raw_p20310301', 'sales_raw_p20310302'],
    )
  })

  test('creating a partition should move the default partition’s rows of that day into it', async () => {
    const owner = db.pool('sretl_owner')
    const writer = db.pool('sretl_writer')
    await writer.query(INSERT, saleRow('2040-06-15T08:00:00.000Z'))
    const created = await ensureSalesRawPartitions(owner, '2040-06-15', '2040-06-15')
    assert.deepEqual(created, [{ name: 'sales_raw_p20400615', day: '2040-06-15', movedRows: 1 }])
    const { rows } = await owner.query<{ part: string }>(
      "SELECT tableoid::regclass::text AS part FROM sales_raw WHERE event_time = '2040-06-15T08:00:00Z'",
    )
    assert.deepEqual(rows, [{ part: 'sales_raw_p20400615' }])
  })

  test('the template database should already have partitions from yesterday to a week ahead', async () => {
    const { rows } = await db
      .pool()
      .query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'sales_raw'::regclass",
      )
    const names = new Set(rows.map((r) => r.name))
    for (const offset of [-1, 0, 7]) {
      assert.ok(
        names.has(`sales_raw_p${utcDay(new Date(), offset).replaceAll('-', '')}`),
        `partition for day ${offset}`,
      )
    }
  })

  test('the writer role should not be able to drop or alter tables, and the reader role should not be able to insert', async () => {
    const writer = db.pool('sretl_writer')
    const reader = db.pool('sretl_reader')
    for (const sql of [
      'DROP TABLE sales_raw',
      'ALTER TABLE sales_raw ADD COLUMN x int',
      'TRUNCATE audit_log',
      'DELETE FROM consumer_offsets',
    ]) {
      await assert.rejects(writer.query(sql), (err) => sqlState(err) === '42501', `writer: ${sql}`)
    }
    await assert.rejects(
      reader.query(INSERT, saleRow(new Date().toISOString())),
      (err) => sqlState(err) === '42501',
    )
    await assert.rejects(
      reader.query(
        "INSERT INTO audit_log (actor, role, action, target, result) VALUES ('a','b','c','d','ok')",
      ),
      (err) => sqlState(err) === '42501',
    )
    const { rows } = await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_raw')
    assert.ok((rows[0]?.n ?? -1) >= 0, 'the reader can read')
  })

  test('no table of the schema should grant anything to PUBLIC', async () => {
    const { rows } = await db.pool().query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND a.grantee = 0`,
    )
    assert.deepEqual(rows, [])
  })
})
