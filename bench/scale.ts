/**
 * `npm run bench:scale [-- --events N --partitions 6,12 --landers 1,2,3 --seed NAME]`
 *
 * Horizontal scale of the lander on this machine: for each partition count P, loads the same N
 * events of the store simulator's generator into a topic of P partitions; then for each lander
 * count K starts K `sretl run lander` processes in one consumer group (default settings, so
 * aggregates on) against a fresh database, pauses them, waits until the group is stable (its
 * rebalances are not what is measured), resumes them together and times the backlog's drain:
 * rows/s, the seconds to the first landed row, and the CPU seconds of the landers and of
 * PostgreSQL during the drain. Prints a Markdown table (docs/scaling.md).
 *
 * Starts its own Kafka broker unless KAFKA_BOOTSTRAP_SERVERS is set; uses DATABASE_URL or the
 * local PostgreSQL for the databases it creates and drops. Asserts nothing.
 */
import { mkdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { postmasters, processTable, usageOf } from '../src/cli/load/process-usage.ts'
import { ensureAdminToken } from '../src/platform/admin-token.ts'
import { baseConfigSection, type KafkaConfig } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { createAdmin, ensureTopics } from '../src/platform/kafka.ts'
import { topicSpecs } from '../src/platform/topics.ts'
import { planSimulatorHistory } from './simulator-events.ts'
import { startComponent, stopComponent } from './bench-components.ts'
import {
  benchSetup,
  describeHistory,
  exitWithUsage,
  fmt,
  freshDatabase,
  loadGeneratedEvents,
  log,
  runBenchmark,
} from './bench-stack.ts'

const USAGE = `Usage: npm run bench:scale [-- --events N --partitions 6,12 --landers 1,2,3 --seed NAME]

Loads N events (default 300,000) of the store simulator into a topic of each partition count, then
times K lander processes in one consumer group draining it into a fresh database, for each K.
Prints rows/s, the time to the first landed row and CPU seconds per run as Markdown.
Starts its own Kafka unless KAFKA_BOOTSTRAP_SERVERS is set; uses DATABASE_URL or the local PostgreSQL.`

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    partitions: { type: 'string', default: '6,12' },
    landers: { type: 'string', default: '1,2,3' },
    seed: { type: 'string', default: 'bench-42' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) exitWithUsage(USAGE)

function wholeList(name: 'partitions' | 'landers', text: string): number[] {
  const list = text.split(',').map((s) => Number(s.trim()))
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write(`--${name} must be whole numbers ≥ 1 separated by commas (got ${text})\n`)
    process.exit(2)
  }
  return list
}
const N = Number(values.events)
if (!Number.isInteger(N) || N < 1) {
  process.stderr.write(`--events must be a whole number ≥ 1 (got ${values.events})\n`)
  process.exit(2)
}
const PARTITIONS = wholeList('partitions', values.partitions)
const LANDERS = wholeList('landers', values.landers)
const HISTORY = planSimulatorHistory(N, values.seed)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const cpuSeconds = (roots: (table: ReturnType<typeof processTable>) => number[]): number => {
  const table = processTable()
  return usageOf(table, roots(table)).cpuSeconds
}

interface Run {
  readonly partitions: number
  readonly landers: number
  /** Rows landed after the resume (a few may land before the pause). */
  readonly rows: number
  readonly seconds: number
  readonly firstRowSeconds: number
  readonly landerCpu: number
  readonly postgresCpu: number
}

async function rowCount(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM sales_raw')
  return Number(rows[0]?.n ?? 0)
}

async function command(url: string, path: string, token: string): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'bench:scale' }),
  })
  if (!response.ok) throw new Error(`lander ${path}: ${response.status} ${await response.text()}`)
}

/** Until the group has `members` members and is Stable: the rebalances are over. */
async function waitForStableGroup(kafka: KafkaConfig, group: string, members: number): Promise<void> {
  const admin = createAdmin(kafka, 'bench-scale-group')
  try {
    for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(500)) {
      const found = (await admin.describeGroups({ groups: [group] })).get(group)
      if (found?.state === 'Stable' && found.members.size === members) return
    }
    throw new Error(`group ${group} did not become stable with ${members} members in 180 s`)
  } finally {
    await admin.close()
  }
}

/**
 * Starts the landers paused, waits for their group to settle, then resumes them together and
 * times the rest of the backlog: the drain of a group that is not rebalancing.
 */
async function drain(scenario: {
  readonly env: NodeJS.ProcessEnv
  readonly kafka: KafkaConfig
  readonly url: string
  readonly token: string
  readonly partitions: number
  readonly landers: number
}): Promise<Run> {
  const { env, kafka, url, token, partitions, landers } = scenario
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const children = await Promise.all(
      Array.from({ length: landers }, () => startComponent('lander', env, 120_000)),
    )
    await Promise.all(children.map((c) => command(c.url, '/pause', token)))
    await waitForStableGroup(kafka, String(env.LANDER_GROUP_ID), landers)
    const pids = children.map((c) => c.child.pid ?? 0)
    const before = await rowCount(client)
    const landerBefore = cpuSeconds(() => pids)
    const pgBefore = cpuSeconds(postmasters)
    const started = performance.now()
    await Promise.all(children.map((c) => command(c.url, '/resume', token)))
    let firstRow = 0
    let landed = before
    let lastReport = started
    while (landed < N) {
      await sleep(250)
      landed = await rowCount(client)
      if (landed > before && firstRow === 0) firstRow = performance.now()
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now()
        log(`  ${fmt(landed)} of ${fmt(N)} rows landed`)
      }
    }
    const seconds = (performance.now() - started) / 1000
    const run: Run = {
      partitions,
      landers,
      rows: N - before,
      seconds,
      firstRowSeconds: (firstRow - started) / 1000,
      landerCpu: cpuSeconds(() => pids) - landerBefore,
      postgresCpu: cpuSeconds(postmasters) - pgBefore,
    }
    await Promise.all(children.map((c) => stopComponent(c.child)))
    return run
  } finally {
    await client.end()
  }
}

async function topicWithEvents(kafka: KafkaConfig, partitions: number): Promise<KafkaConfig> {
  const scaled: KafkaConfig = {
    ...kafka,
    topicPrefix: `scale${partitions}p${process.pid}.`,
    salesPartitions: partitions,
  }
  const admin = createAdmin(scaled, 'bench-scale')
  try {
    await ensureTopics(admin, topicSpecs(scaled))
  } finally {
    await admin.close()
  }
  return scaled
}

await runBenchmark(async () => {
  const base = loadConfig(process.env, baseConfigSection)
  log(
    `bench:scale — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}, ${fmt(N)} events, partitions ${PARTITIONS.join(',')}, landers ${LANDERS.join(',')}`,
  )
  const setup = await benchSetup(base, 'scale')
  const runs: Run[] = []
  for (const partitions of PARTITIONS) {
    const kafka = await topicWithEvents(setup.kafka, partitions)
    log(`Loading ${fmt(N)} events into ${partitions} partitions…`)
    const loaded = await loadGeneratedEvents(kafka, HISTORY)
    log(`  ${describeHistory(HISTORY, loaded)}`)
    for (const landers of LANDERS) {
      const url = await freshDatabase(
        setup.serverUrl,
        `sretl_scale_${process.pid}_${partitions}_${landers}`,
        undefined,
        { fromMs: loaded.firstMs, toMs: loaded.lastMs },
      )
      const home = join(setup.dir, `home-${partitions}-${landers}`)
      mkdirSync(home, { recursive: true })
      const token = ensureAdminToken(join(home, 'secrets', 'component-admin-token')).token
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrapServers.join(','),
        TOPIC_PREFIX: kafka.topicPrefix,
        SALES_TOPIC_PARTITIONS: String(partitions),
        DATABASE_URL: url,
        LANDER_GROUP_ID: `bench-scale-${partitions}-${landers}`,
        SRETL_HOME: home,
        LOG_LEVEL: 'warn',
      }
      log(`${landers} lander(s) on ${partitions} partitions…`)
      const run = await drain({ env, kafka, url, token, partitions, landers })
      log(
        `  ${fmt(run.rows / run.seconds)} rows/s (${run.seconds.toFixed(1)} s; first row after ${run.firstRowSeconds.toFixed(1)} s)`,
      )
      runs.push(run)
    }
  }
  log('')
  log(
    '| partitions | landers | drain s | rows/s | rows/s after the first row | first row after s | lander CPU s | PostgreSQL CPU s |',
  )
  log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of runs) {
    const steady = r.rows / (r.seconds - r.firstRowSeconds)
    log(
      `| ${r.partitions} | ${r.landers} | ${r.seconds.toFixed(1)} | ${fmt(r.rows / r.seconds)} | ${fmt(steady)} | ${r.firstRowSeconds.toFixed(1)} | ${r.landerCpu.toFixed(1)} | ${r.postgresCpu.toFixed(1)} |`,
    )
  }
})
