/**
 * The publish cycle (ADR 0040), one PostgreSQL transaction under an advisory lock, so one lander
 * of the database runs it at a time and the values it sends follow the versions in order:
 *
 *   1. watermark    min over the active source partitions of their highest admissible event
 *                   time; when every partition is idle and this lander has no lag, the wall clock
 *   2. finalize     windows whose end + grace is behind the watermark: final = true, version + 1
 *   3. read         sales_agg_minute and sales_hourly rows not yet published (values and versions)
 *   4. rolling      store_rolling_1h: boundaries of the changed minutes, and the boundaries the
 *                   horizon (the watermark's minute) advances over, recomputed from the minutes
 *   5. top_skus     the SKU deltas the landings appended are folded into sku_sales_hourly (and
 *                   deleted); the hours whose sums changed are re-ranked
 *   6. publish      every row of step 3 and every unpublished rolling/top row → compacted topics,
 *                   acknowledged; then published_version = the version sent
 *
 * A crash anywhere rolls the cycle back; rows stay unpublished and the next cycle (of any
 * lander) sends them. Rows locked by a landing transaction are skipped and taken next time.
 */
import { MINUTE_MS } from '../../domain/windows.ts'
import { sendWithTimeout, type BytesMessage, type BytesProducer } from '../../platform/kafka.ts'
import { withTransaction, type Pool, type PoolClient } from '../../platform/postgres.ts'
import type { AggregatesConfig } from './config.ts'
import {
  confirmSql,
  CYCLE_LOCK_KEY,
  finalizeSql,
  FOLD_SKU_SQL,
  pendingSql,
  READ_STATE,
  SET_STATE,
  TOP_SKUS_SQL,
  UNPUBLISHED_SQL,
  WATERMARK_INPUTS,
} from './cycle-sql.ts'
import { refreshRolling } from './rolling.ts'
import { AGGREGATES, TABLES, topicKey, topicValue, type AggregateName, type AggregateRow } from './tables.ts'

export interface CycleDeps {
  readonly pool: Pool
  readonly producer: BytesProducer
  readonly topics: Readonly<Record<AggregateName, string>>
  /** The landers' source topic (its partitions' watermarks). */
  readonly sourceTopic: string
  readonly config: AggregatesConfig
  readonly sendTimeoutMs: number
  /** True when this lander's partitions have no lag (allows the idle watermark). */
  readonly caughtUp: () => boolean
  readonly clock: () => number
}

export interface CycleOutcome {
  /** False when another lander held the cycle's lock (only the watermark was read). */
  readonly ran: boolean
  readonly watermark: number | undefined
  readonly horizon: number | undefined
  readonly published: Partial<Record<AggregateName, number>>
  readonly finalized: Partial<Record<AggregateName, number>>
  readonly corrections: readonly { aggregate: AggregateName; lateMs: number }[]
  /** Windows whose first value after their end was published: how long after the end. */
  readonly freshness: readonly { aggregate: AggregateName; seconds: number; windowEnd: number }[]
  /** Rows waiting to be published per aggregate, and SKU deltas waiting to be folded. */
  readonly unpublished?: Record<AggregateName | 'sku_sales_deltas', number>
  /** A limit was reached: run again at once. */
  readonly more: boolean
  /** Duration of each step, ms (when the cycle ran). */
  readonly timingsMs?: Readonly<Record<string, number>>
}

const num = (v: string | null | undefined): number | undefined =>
  v === null || v === undefined ? undefined : Number(v)

export async function runCycle(deps: CycleDeps): Promise<CycleOutcome> {
  return withTransaction(deps.pool, async (client) => {
    const lock = await client.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS got', [
      CYCLE_LOCK_KEY,
    ])
    if (lock.rows[0]?.got !== true) {
      const state = await client.query<{ value: string }>(READ_STATE, ['watermark'])
      return {
        ran: false,
        watermark: num(state.rows[0]?.value),
        horizon: undefined,
        published: {},
        finalized: {},
        corrections: [],
        freshness: [],
        more: false,
      }
    }
    return cycle(deps, client)
  })
}

async function cycle(deps: CycleDeps, client: PoolClient): Promise<CycleOutcome> {
  const { config } = deps
  const limit = config.cycleMaxRows
  let more = false
  const corrections: { aggregate: AggregateName; lateMs: number }[] = []

  const timings: Record<string, number> = {}
  let mark = performance.now()
  const lap = (step: string): void => {
    const now = performance.now()
    timings[step] = now - mark
    mark = now
  }
  // 1. watermark
  const { inputs, watermark } = await advanceWatermark(deps, client)
  lap('watermark')
  // 2. finalize
  const finalized: Partial<Record<AggregateName, number>> = {}
  if (watermark !== undefined) {
    for (const name of AGGREGATES) {
      const result = await client.query(finalizeSql(TABLES[name]), [watermark, limit, config.graceMs])
      finalized[name] = result.rowCount ?? 0
      if ((result.rowCount ?? 0) >= limit) more = true
    }
  }

  lap('finalize')
  // 3. changed minute and hourly rows
  const minutes = (await client.query<AggregateRow>(pendingSql(TABLES.sales_minute), [limit])).rows
  const hours = (await client.query<AggregateRow>(pendingSql(TABLES.sales_hourly), [limit])).rows
  if (minutes.length >= limit || hours.length >= limit) more = true

  lap('read')
  // 4. store_rolling_1h
  const rolling = await advanceRolling(client, config, { inputs, watermark, minutes, corrections })
  const horizon = rolling.horizon
  if (rolling.more) more = true

  lap('rolling')
  // 5. fold the landed SKU deltas into the sums; re-rank top_skus of the hours they changed
  if (await foldSkuDeltas(client, config, watermark, corrections)) more = true

  lap('top_skus')
  // 6. publish
  const rollingRows = (await client.query<AggregateRow>(pendingSql(TABLES.store_rolling_1h), [limit])).rows
  const tops = (await client.query<AggregateRow>(pendingSql(TABLES.top_skus), [limit])).rows
  if (rollingRows.length >= limit || tops.length >= limit) more = true
  const toPublish: [AggregateName, AggregateRow[]][] = [
    ['sales_minute', minutes],
    ['sales_hourly', hours],
    ['store_rolling_1h', rollingRows],
    ['top_skus', tops],
  ]
  const { published, freshness } = await publish(deps, client, toPublish)
  lap('publish')
  const unpublished = (
    await client.query<Record<AggregateName | 'sku_sales_deltas', number>>(UNPUBLISHED_SQL)
  ).rows[0]
  return {
    ran: true,
    watermark,
    horizon,
    published,
    finalized,
    corrections,
    freshness,
    ...(unpublished ? { unpublished } : {}),
    more,
    timingsMs: timings,
  }
}

interface WatermarkInputs {
  current: string | null
  horizon: string | null
  active_min: string | null
  partitions: number
  first_minute: string | null
  next_minute: string | null
  now: string
}

/** Step 1: the watermark never goes back; with every partition idle and caught up it is now. */
async function advanceWatermark(
  deps: CycleDeps,
  client: PoolClient,
): Promise<{ inputs: WatermarkInputs; watermark: number | undefined }> {
  const inputs = (
    await client.query<WatermarkInputs>(WATERMARK_INPUTS, [deps.sourceTopic, deps.config.idleMs])
  ).rows[0]
  if (!inputs) throw new Error('no watermark inputs')
  const current = num(inputs.current)
  const activeMin = num(inputs.active_min)
  const candidate =
    activeMin !== undefined
      ? activeMin
      : inputs.partitions > 0 && deps.caughtUp()
        ? Number(inputs.now)
        : undefined
  const watermark =
    candidate === undefined ? current : current === undefined ? candidate : Math.max(current, candidate)
  if (watermark !== undefined && watermark !== current) {
    await client.query(SET_STATE, ['watermark', watermark])
  }
  return { inputs, watermark }
}

/** Step 5; true when the fold hit its limit (run again at once). */
async function foldSkuDeltas(
  client: PoolClient,
  config: CycleDeps['config'],
  watermark: number | undefined,
  corrections: { aggregate: AggregateName; lateMs: number }[],
): Promise<boolean> {
  const limit = config.cycleMaxRows
  const folded = (
    await client.query<{ store_id: string; currency: string; start_ms: string; deltas: number }>(
      FOLD_SKU_SQL,
      [limit * 4],
    )
  ).rows
  if (folded.length > 0) {
    const list = folded.map((g): [string, string, number] => [g.store_id, g.currency, Number(g.start_ms)])
    const result = await client.query<{ window_end: string }>(TOP_SKUS_SQL, [
      list.map((g) => g[0]),
      list.map((g) => g[1]),
      list.map((g) => g[2]),
      config.graceMs,
      watermark ?? null,
    ])
    for (const r of result.rows) {
      corrections.push({ aggregate: 'top_skus', lateMs: (watermark ?? 0) - Number(r.window_end) })
    }
  }
  return folded.reduce((n, g) => n + g.deltas, 0) >= limit * 4
}

/** Step 4: store_rolling_1h up to the watermark's minute, at most rollingMaxAdvanceMinutes a cycle. */
async function advanceRolling(
  client: PoolClient,
  config: CycleDeps['config'],
  step: {
    inputs: { horizon: string | null; first_minute: string | null; next_minute: string | null }
    watermark: number | undefined
    minutes: readonly AggregateRow[]
    corrections: { aggregate: AggregateName; lateMs: number }[]
  },
): Promise<{ horizon: number | undefined; more: boolean }> {
  const { inputs, watermark, minutes, corrections } = step
  let more = false
  let horizon = num(inputs.horizon) ?? num(inputs.first_minute)
  if (watermark !== undefined && horizon !== undefined) {
    const target = Math.floor(watermark / MINUTE_MS) * MINUTE_MS
    // boundaries before the next minute with data have no row: skip them
    const nextMinute = num(inputs.next_minute)
    if (inputs.horizon !== null && target > horizon) {
      if (nextMinute === undefined) horizon = target
      else if (nextMinute > horizon) horizon = Math.min(nextMinute, target)
    }
    const next = Math.max(horizon, Math.min(target, horizon + config.rollingMaxAdvanceMinutes * MINUTE_MS))
    if (next < target) more = true
    const changed = minutes.filter((m) => Number(m.window_start) < next)
    if (next > horizon || changed.length > 0) {
      const ends = await refreshRolling(client, {
        changed,
        previousHorizon: horizon,
        horizon: next,
        graceMs: config.graceMs,
        watermark,
      })
      for (const end of ends) corrections.push({ aggregate: 'store_rolling_1h', lateMs: watermark - end })
    }
    if (next !== num(inputs.horizon)) await client.query(SET_STATE, ['rolling_horizon', next])
    horizon = next
  }

  return { horizon, more }
}

/** Step 6: every changed row to its topic, then marked published at the acknowledgement's time. */
async function publish(
  deps: CycleDeps,
  client: PoolClient,
  toPublish: readonly [AggregateName, AggregateRow[]][],
): Promise<{
  published: Partial<Record<AggregateName, number>>
  freshness: { aggregate: AggregateName; seconds: number; windowEnd: number }[]
}> {
  const { config } = deps
  const messages: BytesMessage[] = []
  for (const [name, rows] of toPublish) {
    const t = TABLES[name]
    for (const row of rows) {
      messages.push({
        topic: deps.topics[name],
        key: Buffer.from(topicKey(t, row)),
        value: Buffer.from(JSON.stringify(topicValue(t, row))),
      })
    }
  }
  const published: Partial<Record<AggregateName, number>> = {}
  const freshness: { aggregate: AggregateName; seconds: number; windowEnd: number }[] = []
  if (messages.length > 0) {
    await sendWithTimeout(deps.producer, messages, deps.sendTimeoutMs)
    const ackAt = deps.clock()
    for (const [name, rows] of toPublish) {
      if (rows.length === 0) continue
      const t = TABLES[name]
      await client.query(confirmSql(t), [
        ...t.key.map(([c]) => rows.map((r) => r[c])),
        rows.map((r) => r.version),
        ackAt,
      ])
      published[name] = rows.length
      for (const r of rows) {
        const end = Number(r.window_end)
        const before = num(r.published_at as string | null)
        // a window's first value published after its end, while it is still open
        if ((before === undefined || before < end) && end <= ackAt && ackAt - end <= config.graceMs) {
          freshness.push({ aggregate: name, seconds: (ackAt - end) / 1000, windowEnd: end })
        }
      }
    }
  }
  return { published, freshness }
}
