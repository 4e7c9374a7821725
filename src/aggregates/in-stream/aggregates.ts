/**
 * The aggregates as the lander runs them (ADR 0040): the landing transaction's hook writes the
 * deltas of exactly the new rows; after each commit, and every AGG_CYCLE_INTERVAL_MS, a publish
 * cycle (cycle.ts) moves the watermark, finalizes windows, derives store_rolling_1h and top_skus
 * and publishes every changed row to its compacted topic.
 */
import { admissibleMaxEventTime, aggregateBatch } from '../../domain/aggregates.ts'
import { isKnownTimeZone, latenessBucket } from '../../domain/windows.ts'
import { errorMessage } from '../../platform/errors.ts'
import { backoffMs, sleep } from '../../platform/lifecycle.ts'
import type { Logger } from '../../platform/logger.ts'
import type { PoolClient } from '../../platform/postgres.ts'
import { runCycle, type CycleDeps, type CycleOutcome } from './cycle.ts'
import type { CommittedBatch, LandedRow, LandingHooks } from './landed-batch.ts'
import type { AggregatesMetrics } from './metrics.ts'
import { AGGREGATES } from './tables.ts'
import { raisePartitionWatermarks, writeDeltas, type Correction } from './write-deltas.ts'

export interface AggregatesDeps extends CycleDeps {
  readonly logger: Logger
  readonly metrics: AggregatesMetrics
  /** Called with every cycle's outcome (benchmarks). */
  readonly onCycle?: (outcome: CycleOutcome) => void
}

export interface AggregatesStatus {
  readonly watermark: string | null
  readonly rollingHorizon: string | null
  readonly lastCycleAt: string | null
  readonly unpublished: Readonly<Record<string, number>> | null
  readonly graceMs: number
  /** The last failed publish cycle, until one succeeds. */
  readonly lastError: {
    readonly code: 'AGGREGATES_PUBLISH_FAILED'
    readonly message: string
    readonly at: string
  } | null
}

export interface Aggregates {
  readonly hooks: LandingHooks
  /** Starts the publish cycles (the first one runs at once: it publishes what a crash left). */
  start(): void
  stop(): Promise<void>
  /** Runs one cycle now (tests, `sretl verify` preparation); resolves with its outcome. */
  cycleNow(): Promise<CycleOutcome>
  status(): AggregatesStatus
}

/** A batch whose newest record is older than this means the lander is working through a backlog. */
const CATCHING_UP_AFTER_MS = 5000

/** Stores whose zone this process knows; bounded (the chain has hundreds of stores). */
const MAX_CACHED_STORES = 100_000

export function createAggregates(deps: AggregatesDeps): Aggregates {
  const { metrics, config, clock } = deps
  const zones = createStoreZones()
  let watermark: number | undefined
  let horizon: number | undefined
  let lastCycleAt: number | undefined
  let unpublished: Record<string, number> | undefined
  let pendingCorrections: Correction[] = []
  let catchingUp = false
  let running: Promise<CycleOutcome> | undefined

  const inTransaction = async (client: PoolClient, newRows: readonly LandedRow[]): Promise<void> => {
    pendingCorrections = []
    if (newRows.length === 0) return
    const started = performance.now()
    pendingCorrections = await landBatchDeltas(client, newRows, { ...deps, zones, watermark })
    metrics.transactionSeconds.observe((performance.now() - started) / 1000)
  }

  const afterCommit = (result: CommittedBatch): void => {
    const newest = Math.max(0, ...result.batch.partitions.map((p) => p.lastProduceTimeMs))
    // the newest record of the batch was produced long ago: the lander works through a backlog
    catchingUp = newest > 0 && result.committedAt - newest > CATCHING_UP_AFTER_MS
    for (const c of pendingCorrections) {
      metrics.corrections.inc({
        aggregate: c.aggregate,
        lateness: latenessBucket(Math.max(0, c.lateMs - config.graceMs)),
      })
    }
    pendingCorrections = []
    loop.trigger()
  }

  const observe = (outcome: CycleOutcome): void => {
    deps.onCycle?.(outcome)
    watermark = outcome.watermark
    if (watermark !== undefined) metrics.watermark.set(watermark / 1000)
    if (!outcome.ran) return
    horizon = outcome.horizon
    lastCycleAt = clock()
    countCycle(metrics, config.graceMs, outcome)
    if (outcome.unpublished) unpublished = outcome.unpublished
  }

  const cycleNow = async (): Promise<CycleOutcome> => {
    // one cycle at a time in this process; a caller arriving meanwhile waits for a fresh one
    while (running) await running.catch(() => undefined)
    const started = performance.now()
    running = runCycle(deps)
    try {
      const outcome = await running
      if (outcome.ran) metrics.cycleSeconds.observe((performance.now() - started) / 1000)
      observe(outcome)
      return outcome
    } finally {
      running = undefined
    }
  }

  const loop = createCycleLoop({ ...deps, cycleNow, catchingUp: () => catchingUp })

  return {
    hooks: { inTransaction, afterCommit },
    start: loop.start,
    stop: loop.stop,
    cycleNow,
    status: () => ({
      watermark: watermark === undefined ? null : new Date(watermark).toISOString(),
      rollingHorizon: horizon === undefined ? null : new Date(horizon).toISOString(),
      lastCycleAt: lastCycleAt === undefined ? null : new Date(lastCycleAt).toISOString(),
      unpublished: unpublished ?? null,
      graceMs: config.graceMs,
      lastError: loop.lastError(),
    }),
  }
}

interface CycleLoopDeps extends Pick<AggregatesDeps, 'logger' | 'metrics' | 'config' | 'clock'> {
  cycleNow(): Promise<CycleOutcome>
  /** Whether the last batch showed a backlog (cycles then run less often, ADR 0040). */
  catchingUp(): boolean
}

/** Runs publish cycles until stopped: at once when woken by a commit, else every AGG_CYCLE_INTERVAL_MS. */
function createCycleLoop(deps: CycleLoopDeps) {
  const { logger, metrics, config, clock } = deps
  let lastError: AggregatesStatus['lastError'] = null
  let lastCycleStart = 0
  let stopping = false
  let wake: (() => void) | undefined
  let woken = false
  let loop: Promise<void> | undefined

  const runOnce = async (failures: number): Promise<{ more: boolean } | undefined> => {
    try {
      woken = false
      lastCycleStart = performance.now()
      const { more } = await deps.cycleNow()
      lastError = null
      return { more }
    } catch (err) {
      metrics.cycleFailures.inc()
      lastError = {
        code: 'AGGREGATES_PUBLISH_FAILED',
        message: `the aggregates' publish cycle failed: ${errorMessage(err)}`,
        at: new Date(clock()).toISOString(),
      }
      logger.warn({ err, attempt: failures + 1 }, 'aggregates publish cycle failed; retrying')
      await sleep(backoffMs(failures + 1, 200, 10_000))
      return undefined
    }
  }

  const idle = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.cycleIntervalMs)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const run = async (): Promise<void> => {
    let failures = 0
    while (!stopping) {
      const ran = await runOnce(failures)
      if (ran === undefined) {
        failures += 1
        continue
      }
      failures = 0
      if (stopping) continue
      if (deps.catchingUp()) {
        // landing first: while a backlog lands, cycles run at most every AGG_CATCHUP_CYCLE_INTERVAL_MS
        // (fewer, larger cycles publish each changed row once instead of after every batch)
        const wait = lastCycleStart + config.catchUpCycleIntervalMs - performance.now()
        if (wait > 0) await sleep(wait)
        continue
      }
      if (ran.more || woken) continue
      await idle()
      wake = undefined
    }
  }

  return {
    trigger: (): void => {
      woken = true
      wake?.()
    },
    start: (): void => {
      loop = run()
    },
    stop: async (): Promise<void> => {
      stopping = true
      wake?.()
      await loop
    },
    lastError: () => lastError,
  }
}

/** The time zone of each store this process has seen, read from `stores` once; bounded. */
function createStoreZones() {
  const zones = new Map<string, string>()
  return {
    async load(client: PoolClient, rows: readonly LandedRow[]): Promise<void> {
      const missing = [...new Set(rows.map((r) => r.event.store_id))].filter((s) => !zones.has(s))
      if (missing.length === 0) return
      const result = await client.query<{ store_id: string; time_zone: string }>(
        'SELECT store_id, time_zone FROM stores WHERE store_id = ANY($1::text[])',
        [missing],
      )
      if (zones.size + missing.length > MAX_CACHED_STORES) zones.clear()
      const found = new Map(result.rows.map((r) => [r.store_id, r.time_zone]))
      for (const store of missing) {
        const zone = found.get(store)
        // an unknown store (or zone) is aggregated in UTC hours; the oracle does the same
        zones.set(store, zone !== undefined && isKnownTimeZone(zone) ? zone : 'UTC')
      }
    },
    zoneOf: (store: string): string => zones.get(store) ?? 'UTC',
  }
}

/** A cycle that ran, in the metrics: rows published and finalized, corrections, freshness, backlog. */
function countCycle(metrics: AggregatesMetrics, graceMs: number, outcome: CycleOutcome): void {
  for (const name of AGGREGATES) {
    const p = outcome.published[name] ?? 0
    if (p > 0) metrics.published.inc({ aggregate: name }, p)
    const f = outcome.finalized[name] ?? 0
    if (f > 0) metrics.finalized.inc({ aggregate: name }, f)
  }
  for (const c of outcome.corrections) {
    metrics.corrections.inc({
      aggregate: c.aggregate,
      lateness: latenessBucket(Math.max(0, c.lateMs - graceMs)),
    })
  }
  for (const f of outcome.freshness) metrics.freshness.observe({ aggregate: f.aggregate }, f.seconds)
  if (outcome.unpublished) {
    for (const name of AGGREGATES) metrics.unpublished.set({ aggregate: name }, outcome.unpublished[name])
    metrics.pendingSkuDeltas.set(outcome.unpublished.sku_sales_deltas)
  }
}

/** In the landing transaction: the batch's deltas into the tables, and each partition's watermark. */
async function landBatchDeltas(
  client: PoolClient,
  newRows: readonly LandedRow[],
  ctx: Pick<AggregatesDeps, 'config' | 'sourceTopic'> & {
    zones: ReturnType<typeof createStoreZones>
    watermark: number | undefined
  },
): Promise<Correction[]> {
  await ctx.zones.load(client, newRows)
  const deltas = aggregateBatch(newRows, ctx.zones.zoneOf)
  const corrections = await writeDeltas(client, deltas, {
    graceMs: ctx.config.graceMs,
    watermark: ctx.watermark,
  })
  const byPartition = new Map<number, number>()
  for (const row of newRows) {
    const max = admissibleMaxEventTime([row], ctx.config.maxFutureMs)
    if (max === undefined) continue
    const p = row.source.partition
    byPartition.set(p, Math.max(byPartition.get(p) ?? max, max))
  }
  await raisePartitionWatermarks(client, ctx.sourceTopic, byPartition)
  return corrections
}
