import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createTestDatabase, runCli, testEnv, type TestDatabase } from '../support/harness.ts'

let db: TestDatabase
before(async () => {
  db = await createTestDatabase()
})
after(() => db.drop())

test('a migrated database should hold the chain’s stores and products, and seeding again should change nothing', async () => {
  const pool = db.pool('sretl_reader')
  const counts = await pool.query<{ stores: number; products: number; zones: number; currencies: number }>(
    `SELECT (SELECT count(*)::int FROM stores) AS stores, (SELECT count(*)::int FROM products) AS products,
            (SELECT count(DISTINCT time_zone)::int FROM stores) AS zones,
            (SELECT count(DISTINCT currency)::int FROM stores) AS currencies`,
  )
  assert.deepEqual(counts.rows[0], { stores: 200, products: 5000, zones: 10, currencies: 6 })
  const kolkata = await pool.query(`SELECT currency FROM stores WHERE time_zone = 'Asia/Kolkata' LIMIT 1`)
  assert.equal(kolkata.rows[0]?.currency, 'INR')

  const env = testEnv({ databaseUrl: db.url })
  const again = await runCli(['seed'], env)
  assert.equal(again.code, 0, again.stderr)
  assert.match(again.stdout, /200 stores \(all up to date\), 5,000 products \(all up to date\)/)

  await db.pool('sretl_owner').query(`UPDATE stores SET name = 'renamed' WHERE store_id = 'S0001'`)
  const repaired = await runCli(['seed'], env)
  assert.match(repaired.stdout, /200 stores \(1 written\)/)
  const name = await pool.query(`SELECT name FROM stores WHERE store_id = 'S0001'`)
  assert.notEqual(name.rows[0]?.name, 'renamed')
})
