/**
 * npm run bench:drain — the lander of a running stack (`sretl up` or `sretl up --secure`) draining
 * a backlog, so plain and secure mode can be compared on the same machine with everything the
 * mode brings (SASL_SSL from Kafka, TLS and the component login to PostgreSQL):
 *
 *   1. pause the lander (component-admin token), let the simulator produce at BENCH_RATE events/s
 *      for BENCH_SECONDS, pause the simulator;
 *   2. backlog = the sales topic's end offsets − rows in sales_raw;
 *   3. resume the lander and time until sales_raw holds every record of the topic.
 *
 * Reads the stack like any `sretl` command (SRETL_HOME, and tools.env of a secure stack). Prints
 * the backlog, the time and the rate; asserts nothing. Leaves the simulator paused.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Admin } from '@platformatic/kafka'
import { withSecureStackEnv } from '../src/cli/secure-env.ts'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { connection } from '../src/platform/kafka.ts'
import { createClient } from '../src/platform/postgres.ts'
import { topicNames } from '../src/platform/topics.ts'
import { readStackState } from '../src/stack/state.ts'
import { exitWithUsage, helpAsked } from './bench-stack.ts'

if (helpAsked()) {
  exitWithUsage(`Usage: npm run bench:drain

Against the running local stack (plain or --secure, found through SRETL_HOME): pauses the lander,
lets the simulator produce at BENCH_RATE events/s (default 3000) for BENCH_SECONDS (default 20),
pauses the simulator, then times the lander draining the backlog into sales_raw. Prints the rate.`)
}
const RATE = Number(process.env.BENCH_RATE ?? 3000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20)
const env = withSecureStackEnv(process.env)
const config = loadConfig(env, baseConfigSection)
const state = readStackState(config.paths.run)
if (!state) throw new Error(`no stack runs with SRETL_HOME=${config.paths.home}`)
const address = (name: string): string => state.services.find((s) => s.name === name)?.address ?? ''
const token = readFileSync(join(config.paths.home, 'secrets', 'component-admin-token'), 'utf8').trim()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function command(component: string, path: string, body: unknown = {}): Promise<void> {
  const response = await fetch(`${address(component)}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${component} ${path}: ${response.status} ${await response.text()}`)
}

async function rows(): Promise<number> {
  const client = createClient(config.postgres, { connectTimeoutMs: 10_000 })
  await client.connect()
  try {
    const { rows: r } = await client.query<{ n: string }>('SELECT count(*) AS n FROM sales_raw')
    return Number(r[0]?.n ?? 0)
  } finally {
    await client.end()
  }
}

async function endOffsets(): Promise<number> {
  const topic = topicNames(config.kafka).salesEvents
  const admin = new Admin(connection(config.kafka, 'bench-drain'))
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
    const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0
    const listed = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, timestamp: -1n })),
        },
      ],
    })
    return listed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0)
  } finally {
    await admin.close()
  }
}

const secure = config.kafka.security?.protocol === 'SASL_SSL'
await command('lander', '/pause', { reason: 'bench:drain' })
await command('simulator', '/resume', { reason: 'bench:drain' }).catch(() => undefined)
await command('simulator', '/rate', { ratePerSec: RATE })
await sleep(SECONDS * 1000)
await command('simulator', '/pause', { reason: 'bench:drain' })
await sleep(3000)
const target = await endOffsets()
const backlog = target - (await rows())
const started = Date.now()
await command('lander', '/resume', { reason: 'bench:drain' })
while ((await rows()) < target) await sleep(100)
const seconds = (Date.now() - started) / 1000
process.stdout.write(
  `${secure ? 'secure' : 'plain'}: lander drained ${backlog} events in ${seconds.toFixed(1)} s = ${Math.round(backlog / seconds)} events/s\n`,
)
