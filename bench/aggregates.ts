/**
 * `npm run bench:aggregates [-- --events N --seed NAME --steady-seconds S --rate R --repeat K]`
 *
 * 1. Loads N realistic events (the store simulator's generator, bench/simulator-events.ts) into a fresh topic of 6 partitions.
 * 2. Drains that topic with the lander twice per round, each into a fresh database: without the
 *    aggregates (AGGREGATES_ENABLED=false) and with them, and prints both landing rates and their
 *    ratio (target ≥ 0.7), plus how long after the last commit every aggregate row was published.
 * 3. With the aggregates, produces R events/s for S seconds stamped with the time they are sent and
 *    prints the window freshness — from a window's end to the acknowledgement of its first value
 *    published after the end (sretl_aggregates_window_freshness_seconds; target P95 ≤ 2 s).
 *
 * Starts its own Kafka broker unless KAFKA_BOOTSTRAP_SERVERS is set; uses DATABASE_URL (or the
 * local server) for the databases it creates and drops. Prints the figures; asserts nothing.
 */
import { cpus, loadavg } from 'node:os'
import pg from 'pg'
import { createAggregates, type Aggregates } from '../src/aggregates/in-stream/aggregates.ts'
import { aggregatesSection } from '../src/aggregates/in-stream/config.ts'
import { createAggregatesMetrics } from '../src/aggregates/in-stream/metrics.ts'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka'
import { createConsumer, createProducer } from '../src/platform/kafka.ts'
import { silentLogger } from '../src/platform/logger.ts'
import { createMetricsRegistry } from '../src/platform/metrics.ts'
import { createPool } from '../src/platform/postgres.ts'
import { loadReferenceData } from '../src/database/reference-data-loader.ts'
import { startBenchLander, type BenchLander } from './bench-lander.ts'
import {
  benchSetup,
  describeHistory,
  fmt,
  freshDatabase,
  landingBenchArgs,
  loadGeneratedEvents,
  log,
  median,
  percentile,
  produceSteady,
  runBenchmark,
  type Setup,
} from './bench-stack.ts'

const USAGE = `Usage: npm run bench:aggregates [-- --events N --seed NAME --steady-seconds S --rate R --repeat K]

Loads N events (default 1,000,000) of the store simulator (seed NAME, default bench-42; a fixed
simulated history of about 20 hours from 2026-11-02T00:00Z, the same bytes at any hour) into a fresh topic and drains it with
the lander without and with the aggregates (K rounds, default 1; medians), then measures window
freshness at R events/s (default 1,000) for S seconds (default 120; 0 skips it; windows that end
during it are measured, so give it more than a minute). Starts its own Kafka unless
KAFKA_BOOTSTRAP_SERVERS is set; uses DATABASE_URL or the local PostgreSQL. Prints the figures as
Markdown (docs/benchmarks.md).`
const {
  events: N,
  steadySeconds: STEADY_SECONDS,
  rate: RATE,
  repeat: REPEAT,
  history: HISTORY,
} = landingBenchArgs(USAGE)

/**
 * The benchmark's event clock: the wall clock moved back to the simulated history. The steady
 * phase continues the fixed history where it ended, so the aggregates see one timeline rather
 * than a jump from 2026-11-02 to today (which would make the rolling window recompute every
 * minute in between); window ends and their acknowledgements are compared on this clock.
 */
const eventClock = { offsetMs: 0, now: (): number => Date.now() - eventClock.offsetMs }

interface WithAggregates {
  readonly lander: BenchLander
  readonly aggregates: Aggregates
  readonly freshness: Map<string, number[]>
  stop(): Promise<void>
}

/** Time spent in each step of the publish cycles, ms (what the cycles cost, for the report). */
const stepMs = new Map<string, number>()
/** Freshness is collected for windows ending after this instant (ms). */
const steadyFrom = { at: Infinity }
/** Reads the topic-side freshness of the steady phase's minute windows (set when it starts). */
const outside: { read?: (url: string) => Promise<number[]> } = {}

function startWithAggregates(setup: Setup, url: string, group: string): WithAggregates {
  const config = loadConfig(process.env, aggregatesSection)
  const pool = createPool(
    { url, poolMax: 2, connectTimeoutMs: 5000 },
    { applicationName: 'bench-agg', role: 'sretl_writer' },
  )
  const producer = createProducer(setup.kafka, 'bench-agg')
  const freshness = new Map<string, number[]>()
  const holder: { lander?: BenchLander } = {}
  const aggregates = createAggregates({
    pool,
    producer,
    topics: setup.topics.aggregates,
    sourceTopic: setup.topics.salesEvents,
    config,
    sendTimeoutMs: 30_000,
    caughtUp: () => false,
    clock: eventClock.now,
    logger: silentLogger(),
    metrics: createAggregatesMetrics(createMetricsRegistry({ component: 'lander', processMetrics: false })),
    onCycle: (outcome) => {
      for (const [step, ms] of Object.entries(outcome.timingsMs ?? {}))
        stepMs.set(step, (stepMs.get(step) ?? 0) + ms)
      for (const f of outcome.freshness) {
        // only windows that ended during the steady phase (not those the catch-up wrote)
        if (f.windowEnd < steadyFrom.at) continue
        const list = freshness.get(f.aggregate) ?? []
        list.push(f.seconds)
        freshness.set(f.aggregate, list)
      }
    },
  })
  holder.lander = startBenchLander(setup, url, group, aggregates.hooks)
  if (!process.env.BENCH_NO_CYCLE) aggregates.start()
  return {
    lander: holder.lander,
    aggregates,
    freshness,
    async stop() {
      await aggregates.stop()
      await holder.lander?.stop()
      await producer.close()
      await pool.end()
    },
  }
}

async function main(): Promise<void> {
  const started = new Date()
  const base = loadConfig(process.env, baseConfigSection)
  const setup = await benchSetup(base, 'bench-agg')
  const { kafka, topics } = setup

  log(
    `Loading ${fmt(N)} events (the store simulator's generator, seed ${HISTORY.seed}, about 20 hours of history from ${new Date(HISTORY.startMs).toISOString()})…`,
  )
  const loaded = await loadGeneratedEvents(kafka, HISTORY)
  log(`  ${describeHistory(HISTORY, loaded)}`)
  const days = { fromMs: loaded.firstMs, toMs: loaded.lastMs + (STEADY_SECONDS + 120) * 1000 }

  const without: number[] = []
  const withAgg: number[] = []
  const publishLag: number[] = []
  let last: WithAggregates | undefined
  let lastUrl = ''
  for (let r = 1; r <= REPEAT; r += 1) {
    const plainUrl = await freshDatabase(
      setup.serverUrl,
      `sretl_benchagg_${process.pid}_plain${r}`,
      loadReferenceData,
      days,
    )
    const aggUrl = await freshDatabase(
      setup.serverUrl,
      `sretl_benchagg_${process.pid}_agg${r}`,
      loadReferenceData,
      days,
    )
    await last?.stop()
    let start = performance.now()
    const plain = startBenchLander(setup, plainUrl, `bench-plain-${r}`)
    await plain.waitForRecords(N)
    without.push((plain.stats.lastCommit - start) / 1000)
    await plain.stop()
    start = performance.now()
    last = startWithAggregates(setup, aggUrl, `bench-agg-${r}`)
    lastUrl = aggUrl
    await last.lander.waitForRecords(N)
    withAgg.push((last.lander.stats.lastCommit - start) / 1000)
    for (;;) {
      const outcome = await last.aggregates.cycleNow()
      if (
        outcome.ran &&
        !outcome.more &&
        Object.values(outcome.unpublished ?? { x: 1 }).every((n) => n === 0)
      )
        break
    }
    publishLag.push((performance.now() - last.lander.stats.lastCommit) / 1000)
    log(
      `  publish cycles: ${[...stepMs].map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
    )
    stepMs.clear()
    log(
      `Round ${r}: without aggregates ${fmt(N / (without.at(-1) ?? NaN))} rows/s, with ${fmt(N / (withAgg.at(-1) ?? NaN))} rows/s (ratio ${((without.at(-1) ?? NaN) / (withAgg.at(-1) ?? NaN)).toFixed(2)}); all published ${(publishLag.at(-1) ?? NaN).toFixed(1)} s after the last commit`,
    )
  }
  if (!last) throw new Error('no round ran')

  const fresh: Record<string, { p50: number; p95: number; p99: number; n: number }> = {}
  if (STEADY_SECONDS > 0) {
    log(`Steady ${RATE} events/s for ${STEADY_SECONDS} s with the aggregates…`)
    last.freshness.clear()
    // from here the events continue the simulated history (see eventClock)
    eventClock.offsetMs = Date.now() - (loaded.lastMs + 1000)
    // outside view: when each minute's value reaches the topic, read back by a consumer
    const arrivals = new Map<string, { at: number; lines: number }[]>()
    const watcher = createConsumer(kafka, {
      groupId: `bench-watch-${process.pid}`,
      clientSuffix: 'bench-watch',
    })
    const watch = await watcher.consume({
      topics: [topics.aggregates.sales_minute],
      mode: MessagesStreamModes.LATEST,
      fallbackMode: MessagesStreamFallbackModes.LATEST,
    })
    watch.on('data', (m: { key: Buffer; value: Buffer }) => {
      const key = m.key.toString()
      const list = arrivals.get(key) ?? []
      list.push({ at: eventClock.now(), lines: (JSON.parse(m.value.toString()) as { lines: number }).lines })
      arrivals.set(key, list)
    })
    outside.read = async (url: string) => {
      await watch.close()
      await watcher.close(true)
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      const rows = await client.query<{ k: string; lines: string; end_ms: string }>(
        `SELECT store_id || '|' || currency || '|' || to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS k,
           lines, (extract(epoch FROM window_end) * 1000)::bigint::text AS end_ms
         FROM sales_agg_minute WHERE window_start >= to_timestamp($1 / 1000.0) AND window_end <= to_timestamp($2 / 1000.0)`,
        [steadyFrom.at, eventClock.now() - 5000],
      )
      await client.end()
      const delays: number[] = []
      for (const r of rows.rows) {
        const first = (arrivals.get(r.k) ?? []).find((a) => a.lines === Number(r.lines))
        if (first) delays.push(Math.max(0, first.at - Number(r.end_ms)) / 1000)
      }
      return delays.sort((a, b) => a - b)
    }
    // the first minute boundary of the steady phase: windows ending from then on hold steady data only
    steadyFrom.at = Math.ceil((eventClock.now() + 1) / 60_000) * 60_000
    const total = await produceSteady(kafka, RATE, STEADY_SECONDS, eventClock.now)
    await last.lander.waitForRecords(N + total)
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const delays = (await outside.read?.(lastUrl)) ?? []
    fresh['sales_minute, complete value on the topic (consumer)'] = {
      p50: percentile(delays, 50),
      p95: percentile(delays, 95),
      p99: percentile(delays, 99),
      n: delays.length,
    }
    for (const [aggregate, list] of last.freshness) {
      const sorted = [...list].sort((a, b) => a - b)
      fresh[aggregate] = {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        n: sorted.length,
      }
    }
  }
  await last.stop()

  const cpu = cpus()
  const rateWithout = N / median(without)
  const rateWith = N / median(withAgg)
  log('')
  log(`## Aggregates benchmark — ${started.toISOString().slice(0, 10)}`)
  log('')
  log(
    `Machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}; Node ${process.version}. Events: ${fmt(N)}, ${describeHistory(HISTORY, loaded)}, 6 partitions, lander defaults; ${REPEAT} round(s), medians shown.`,
  )
  log('')
  log('| measure | value |')
  log('| --- | --- |')
  log(`| lander without aggregates (start to last commit) | ${fmt(rateWithout)} rows/s |`)
  log(`| lander with aggregates | ${fmt(rateWith)} rows/s |`)
  log(`| ratio with / without (target ≥ 0.7) | ${(rateWith / rateWithout).toFixed(2)} |`)
  log(`| every aggregate row published, after the last commit | ${median(publishLag).toFixed(1)} s |`)
  for (const [aggregate, f] of Object.entries(fresh)) {
    const figures =
      f.n === 0
        ? 'no window ended during the steady phase (run it for longer than a minute)'
        : `P50 ${f.p50.toFixed(2)} s, P95 ${f.p95.toFixed(2)} s, P99 ${f.p99.toFixed(2)} s (${fmt(f.n)} windows)`
    log(`| freshness ${aggregate} at ${RATE}/s (target P95 ≤ 2 s) | ${figures} |`)
  }
  log('')
  log(
    JSON.stringify({
      date: started.toISOString(),
      events: N,
      seed: HISTORY.seed,
      simulatedFrom: new Date(loaded.firstMs).toISOString(),
      simulatedTo: new Date(loaded.lastMs).toISOString(),
      eventsSha256: loaded.sha256,
      without,
      withAgg,
      publishLag,
      freshness: fresh,
    }),
  )
}

await runBenchmark(main)
