/**
 * `npm run chaos [-- --events N --rate R --fault-seconds S --only C1,C5]` — the chaos suite of
 * docs/reliability.md: each scenario against the real components under steady load, then every
 * expected event_id against sales_raw, offsets, dead letters and `sretl verify`. Starts its own
 * Kafka broker and a template database on the local PostgreSQL (as `npm test` does), a fresh
 * database per scenario. Prints progress, then a Markdown table; exit code 1 if any check failed.
 */
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { globalSetup, globalTeardown } from '../test/support/global-setup.ts'
import { createTestDatabase } from '../test/support/harness.ts'
import { killChildLanders } from '../test/support/lander.ts'
import { passed, runScenario, type ScenarioResult } from './runner.ts'
import { SCENARIOS } from './scenarios/index.ts'
import { resultTable } from './table.ts'

const USAGE = `Usage: npm run chaos [-- --events N --rate R --fault-seconds S --only C1,C5 --brokers 1|3]

Runs each chaos scenario (C1…C11) against the real lander and gateway under steady load from the
simulator's generator, then checks that every acknowledged event_id is in sales_raw exactly once,
the stored offsets are at the end, the dead letters are the poison sent, and sretl verify shows no
difference. Defaults: --events 5000 --rate 250 --fault-seconds 60 (outage, slow, read-only), on one
Kafka broker; --brokers 3 runs every scenario on a three-node cluster (RF 3, min.insync.replicas 2).`

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '250' },
    'fault-seconds': { type: 'string', default: '60' },
    only: { type: 'string' },
    brokers: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
const log = (text: string): void => void process.stdout.write(`${text}\n`)
if (values.help) {
  log(USAGE)
  process.exit(0)
}
const whole = (name: 'events' | 'rate' | 'fault-seconds'): number => {
  const n = Number(values[name])
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a whole number ≥ 1 (got ${values[name]})\n`)
    process.exit(2)
  }
  return n
}
if (values.brokers !== '1' && values.brokers !== '3') {
  process.stderr.write(`--brokers must be 1 or 3 (got ${values.brokers})\n`)
  process.exit(2)
}
// the harness starts the cluster this asks for (test/support/global-setup.ts)

process.env.SRETL_TEST_BROKERS = values.brokers
const size = { events: whole('events'), rate: whole('rate'), faultSeconds: whole('fault-seconds') }
const only = values.only?.split(',').map((id) => id.trim().toUpperCase())
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? []
if (unknown.length > 0) {
  process.stderr.write(
    `--only: no scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.id).join(', ')})\n`,
  )
  process.exit(2)
}

async function main(): Promise<void> {
  const started = new Date()
  await globalSetup()
  const results: ScenarioResult[] = []
  const skipped: string[] = []
  try {
    for (const slot of SCENARIOS) {
      if (only && !only.includes(slot.id)) continue
      if (!slot.scenario) {
        skipped.push(`${slot.id}: ${slot.missing ?? 'not built'}`)
        continue
      }
      if (slot.brokers !== undefined && String(slot.brokers) !== values.brokers) {
        skipped.push(`${slot.id}: runs with --brokers ${slot.brokers}`)
        continue
      }
      const db = await createTestDatabase()
      try {
        const result = await runScenario(slot.scenario, db, size, log)
        results.push(result)
        log(`${result.id}: ${passed(result) ? 'pass' : 'FAIL'} in ${result.seconds.toFixed(0)} s`)
      } catch (err) {
        log(`${slot.id}: ERROR ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
        process.exitCode = 1
      } finally {
        await killChildLanders()
        await db.drop()
      }
    }
  } finally {
    await globalTeardown()
  }
  log('')
  log(`## npm run chaos — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`)
  log('')
  log(
    `--events ${size.events} --rate ${size.rate} --fault-seconds ${size.faultSeconds}; ${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, Node ${process.version}.`,
  )
  log('')
  log(resultTable(results))
  log('')
  for (const r of results) for (const n of r.notes) log(`- ${r.id}: ${n}`)
  for (const s of skipped) log(`- ${s}`)
  if (results.some((r) => !passed(r))) process.exitCode = 1
}

process.once('SIGINT', () => {
  void killChildLanders()
    .then(() => globalTeardown())
    .finally(() => process.exit(130))
})
await main()
