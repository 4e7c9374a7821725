/**
 * `npm run bench:queries [-- --rows N --days D] [--keep] [--database NAME]`
 *
 * Fills sales_raw of a fresh database with N rows over the last D days (SQL generate_series: 50
 * stores, 2,000 SKUs), then for each key query (bench/sales-queries.ts) prints its plan
 * (EXPLAIN ANALYZE, BUFFERS) and its latency over 100 runs with varying parameters — the
 * material of docs/queries.md — the time the client waits (rows included) and PostgreSQL's own
 * execution time. Uses DATABASE_URL or the local server; drops the database after unless --keep,
 * and --database NAME measures a database kept before without filling it again (a 50M-row fill
 * takes minutes; measure again on a quiet machine).
 */
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { ensureSalesRawPartitions, utcDay } from '../src/database/partitions.ts'
import { salesQueries, type SalesQueryName } from './sales-queries.ts'
import { prepareDatabase } from '../src/database/schema.ts'
import { ensurePostgres } from '../src/stack/postgres-server.ts'
import { fillSalesRaw } from '../test/support/sales-data.ts'
import { exitWithUsage } from './bench-stack.ts'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '5000000' },
    days: { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
    database: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  exitWithUsage(`Usage: npm run bench:queries [-- --rows N --days D --keep --database NAME]

Fills sales_raw of a fresh database with N rows (default 5,000,000) over the last D days
(default 30), then prints each key query's plan and its latency over 100 runs, as the client
waits and as PostgreSQL executes it. --keep keeps the database; --database NAME measures a kept
one again without filling. Uses DATABASE_URL or the local PostgreSQL.`)
}
const ROWS = Number(values.rows)
const DAYS = Number(values.days)
const log = (text: string): void => void process.stdout.write(`${text}\n`)

const base = loadConfig(process.env, baseConfigSection)
const server = await ensurePostgres({
  url: base.postgres.url,
  explicit: base.postgres.explicit,
  connectTimeoutMs: base.postgres.connectTimeoutMs,
  onProgress: () => undefined,
})
const reuse = values.database
const name = reuse ?? `sretl_bench_${process.pid}_queries`
const adminClient = new pg.Client({ connectionString: server.url })
await adminClient.connect()
if (!reuse) await adminClient.query(`CREATE DATABASE ${name}`)
const url = new URL(server.url)
url.pathname = `/${name}`
const client = new pg.Client({ connectionString: url.toString() })
try {
  await client.connect()
  if (reuse) {
    const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM sales_raw')
    log(
      `Measuring database ${name}: ${Number(count.rows[0]?.n ?? 0).toLocaleString('en-US')} rows (kept before).`,
    )
  } else {
    await prepareDatabase(url.toString())
    await client.query('SET ROLE sretl_owner')
    await ensureSalesRawPartitions(client, utcDay(new Date(), -DAYS - 1), utcDay(new Date(), 1))
    const fillStart = performance.now()
    await fillSalesRaw(client, ROWS, DAYS)
    await client.query('VACUUM ANALYZE sales_raw')
    log(
      `Filled ${ROWS.toLocaleString('en-US')} rows over ${DAYS} days in ${((performance.now() - fillStart) / 1000).toFixed(0)} s.`,
    )
  }
  await client.query('RESET ROLE')
  await client.query('SET ROLE sretl_reader')
  const version = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")
  log(
    `${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average before the queries ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; PostgreSQL ${version.rows[0]?.v ?? '?'}.`,
  )

  const now = Date.now()
  const paramsFor = (query: SalesQueryName, i: number): unknown[] => {
    const store = `S${String(i % 50).padStart(3, '0')}`
    switch (query) {
      case 'storeSalesInRange':
        // a day of one store, ending at a different hour each run
        return [store, new Date(now - ((i % 24) + 24) * 3600_000), new Date(now - (i % 24) * 3600_000)]
      case 'receiptLines': {
        const receipt = (i * 7919) % Math.floor(ROWS / 3)
        return [`S${String(receipt % 50).padStart(3, '0')}`, `RC-${receipt}`]
      }
      case 'skuSalesInRange':
        return [`SKU-${String((i * 37) % 2000).padStart(5, '0')}`, new Date(now - 86_400_000), new Date(now)]
      case 'latestEvents':
        return [50]
    }
  }
  for (const [key, query] of Object.entries(salesQueries) as [
    SalesQueryName,
    (typeof salesQueries)[SalesQueryName],
  ][]) {
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY OFF) ${query.sql}`,
      paramsFor(key, 7),
    )
    const times: number[] = []
    const server: number[] = []
    const rows: number[] = []
    for (let i = 0; i < 100; i += 1) {
      const t = performance.now()
      const result = await client.query(query.sql, paramsFor(key, i))
      times.push(performance.now() - t)
      rows.push(result.rowCount ?? 0)
      const explained = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${query.sql}`,
        paramsFor(key, i),
      )
      const line = explained.rows.map((r) => r['QUERY PLAN']).find((l) => l.startsWith('Execution Time'))
      server.push(Number(/([\d.]+) ms/.exec(line ?? '')?.[1] ?? NaN))
    }
    const at = (xs: number[], i: number, digits = 1): string =>
      ([...xs].sort((a, b) => a - b)[i] ?? 0).toFixed(digits)
    log('')
    log(`### ${query.title} (${query.index})`)
    log('')
    log(
      `Client (rows received): P50 ${at(times, 49)} ms, P95 ${at(times, 94)} ms; PostgreSQL execution: P50 ${at(server, 49, 2)} ms, P95 ${at(server, 94, 2)} ms; median ${at(rows, 49, 0)} rows; 100 runs`,
    )
    log('')
    log('```')
    log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'))
    log('```')
  }
} finally {
  await client.end().catch(() => undefined)
  if (values.keep || reuse)
    log(`\nKept database ${name}: measure again with --database ${name}; drop it with DROP DATABASE.`)
  else await adminClient.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await adminClient.end()
}
