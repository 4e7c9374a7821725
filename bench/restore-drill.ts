/**
 * `npm run drill:restore [-- --events N --after M]` — the restore drill of docs/data-protection.md
 * at a size you choose:
 *
 * 1. N − M events of the store simulator's generator into a fresh topic; a lander lands them;
 * 2. `sretl backup`'s code takes the backup (timed, sized);
 * 3. M more events arrive and land — then the database is dropped (the failure);
 * 4. the backup is restored into a new database (timed) and a lander resumes from its stored
 *    offsets until it has landed the M events again (timed);
 * 5. the full set of produced event_ids is compared with sales_raw (lost, doubled, unexpected)
 *    and every aggregate with its oracle.
 *
 * Starts its own Kafka broker unless KAFKA_BOOTSTRAP_SERVERS is set; uses DATABASE_URL (or the
 * local server) for the databases it creates and drops. Prints a table; exit code 1 if anything
 * was lost, doubled or differs.
 */
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { backupDatabase, formatBytes, restoreDatabase, withDatabase } from '../src/cli/backup.ts'
import { verifyAggregates } from '../src/aggregates/verify.ts'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { createPool, dropDatabaseForced } from '../src/platform/postgres.ts'
import { planSimulatorHistory } from './simulator-events.ts'
import { startBenchLander } from './bench-lander.ts'
import {
  admin,
  atCleanup,
  benchSetup,
  exitWithUsage,
  fmt,
  freshDatabase,
  loadGeneratedEvents,
  log,
  runBenchmark,
} from './bench-stack.ts'

const USAGE = `Usage: npm run drill:restore [-- --events N --after M]

The restore drill: land N − M events, back up, land M more, drop the database, restore the
backup into a new one, let a lander re-land the M events from Kafka, then compare every produced
event_id with sales_raw and every aggregate with its oracle. Defaults: --events 200000,
--after a fifth of --events. Starts its own Kafka; uses DATABASE_URL or the local PostgreSQL.`

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    after: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) exitWithUsage(USAGE)
const N = Number(values.events)
const M = values.after === undefined ? Math.floor(N / 5) : Number(values.after)
if (!Number.isInteger(N) || N < 2 || !Number.isInteger(M) || M < 1 || M >= N) {
  process.stderr.write(`--events must be a whole number ≥ 2 and --after between 1 and --events − 1\n`)
  process.exit(2)
}
const BEFORE = planSimulatorHistory(N - M, 'drill-before')
const AFTER = planSimulatorHistory(M, 'drill-after')
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

async function main(): Promise<void> {
  const started = new Date()
  const base = loadConfig(process.env, baseConfigSection)
  const setup = await benchSetup(base, 'drill')
  const { dir, kafka, serverUrl } = setup
  const group = `drill-${process.pid}`
  const name = `sretl_drill_${process.pid}`
  const restoredName = `${name}_restored`
  const days = {
    fromMs: BEFORE.startMs,
    toMs: Math.max(BEFORE.nominalEndMs, AFTER.nominalEndMs) + 86_400_000,
  }
  const url = await freshDatabase(serverUrl, name, undefined, days)
  atCleanup(() => dropDatabaseForced((sql) => admin(serverUrl, sql), restoredName))

  const produced = new Set<string>()
  const collect = (events: readonly { event_id: string }[]): void => {
    for (const e of events) produced.add(e.event_id)
  }
  log(`1. ${fmt(N - M)} events into Kafka and landed…`)
  await loadGeneratedEvents(kafka, BEFORE, collect)
  let lander = startBenchLander(setup, url, group)
  await lander.waitForRecords(N - M)

  log('2. backup…')
  const file = join(dir, 'drill.dump')
  const manifest = await backupDatabase({
    settings: { url },
    env: process.env,
    file,
    onProgress: () => undefined,
  })
  log(`   ${formatBytes(manifest.bytes)} in ${seconds(manifest.durationMs)}`)

  log(`3. ${fmt(M)} more events landed, then the database is dropped…`)
  await loadGeneratedEvents(kafka, AFTER, collect)
  await lander.waitForRecords(N)
  await lander.stop()
  await dropDatabaseForced((sql) => admin(serverUrl, sql), name)

  log('4. restore into a new database, and the lander resumes from its stored offsets…')
  const restoreStart = performance.now()
  await restoreDatabase({
    settings: { url: serverUrl },
    env: process.env,
    file,
    manifest,
    into: restoredName,
    force: false,
    onProgress: () => undefined,
  })
  const restoreMs = performance.now() - restoreStart
  const restoredUrl = withDatabase({ url: serverUrl }, restoredName).url
  const catchUpStart = performance.now()
  lander = startBenchLander(setup, restoredUrl, group)
  await lander.waitForRecords(M)
  const catchUpMs = performance.now() - catchUpStart
  await lander.stop()

  log('5. every produced event_id against sales_raw, every aggregate against its oracle…')
  const pool = createPool(
    { url: restoredUrl, poolMax: 1, connectTimeoutMs: 5000 },
    { applicationName: 'sretl-drill', role: 'sretl_reader' },
  )
  let lost = 0
  let doubled = 0
  let unexpected = 0
  let differences: number
  try {
    const { rows } = await pool.query<{ event_id: string; n: number }>(
      'SELECT event_id::text AS event_id, count(*)::int AS n FROM sales_raw GROUP BY event_id',
    )
    const landed = new Set<string>()
    for (const r of rows) {
      landed.add(r.event_id)
      if (r.n > 1) doubled += r.n - 1
      if (!produced.has(r.event_id)) unexpected++
    }
    for (const id of produced) if (!landed.has(id)) lost++
    const results = await verifyAggregates(pool, { limit: 0 })
    differences = results.reduce((sum, r) => sum + r.differenceCount, 0)
  } finally {
    await pool.end()
  }

  log('')
  log(`## drill:restore — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`)
  log('')
  log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end, Node ${process.version}.`,
  )
  log('')
  log(
    '| events | before the backup | after it (re-landed from Kafka) | lost | doubled | unexpected | aggregate differences | backup | backup size | restore | lander catch-up | RTO (restore + catch-up) |',
  )
  log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  log(
    `| ${fmt(N)} | ${fmt(N - M)} | ${fmt(M)} | ${lost} | ${doubled} | ${unexpected} | ${differences} | ${seconds(manifest.durationMs)} | ${formatBytes(manifest.bytes)} | ${seconds(restoreMs)} | ${seconds(catchUpMs)} | ${seconds(restoreMs + catchUpMs)} |`,
  )
  log('')
  log(
    'RPO: 0 events — what landed after the backup came back from Kafka, which keeps 30 days; the database alone would have lost everything after the backup.',
  )
  if (lost + doubled + unexpected + differences > 0) process.exitCode = 1
}

await runBenchmark(main)
