/**
 * Settings of the aggregates maintained by the lander (docs/aggregates.md, ADR 0040). Every
 * amount of work per publish cycle is bounded by AGG_CYCLE_MAX_ROWS and
 * AGG_ROLLING_MAX_ADVANCE_MINUTES.
 */
import { boolVar, defineSection, intVar } from '../../platform/config.ts'

export const aggregatesSection = defineSection(
  {
    AGGREGATES_ENABLED: boolVar(
      'Maintain the four aggregates in the landing transaction and publish them to their compacted topics. false: land sales_raw only (the aggregate tables stop changing).',
      true,
    ),
    AGG_GRACE_PERIOD_MS: intVar(
      'How long after its end a window waits for late events before it is final (flag on the row and the topic value). A later event still updates it, flagged as a correction.',
      300_000,
      { min: 0, max: 7 * 86_400_000 },
    ),
    AGG_CYCLE_INTERVAL_MS: intVar(
      'Longest pause between two publish cycles (watermark, final flags, store_rolling_1h, top_skus, publishing); a cycle also starts right after each landed batch.',
      500,
      { min: 10, max: 600_000 },
    ),
    AGG_CATCHUP_CYCLE_INTERVAL_MS: intVar(
      'While the lander works through a backlog (its newest landed record is over 5 s old), publish cycles start at most this often: landing first, and each changed row is published once per cycle instead of after every batch.',
      3000,
      { min: 10, max: 600_000 },
    ),
    AGG_CYCLE_MAX_ROWS: intVar(
      'Most rows one publish cycle reads, finalizes or publishes per table (the next cycle continues at once).',
      5000,
      { min: 10, max: 1_000_000 },
    ),
    AGG_ROLLING_MAX_ADVANCE_MINUTES: intVar(
      'Most minute boundaries store_rolling_1h advances per publish cycle (bounds the work after a long catch-up).',
      120,
      { min: 1, max: 100_000 },
    ),
    AGG_IDLE_MS: intVar(
      'A source partition that landed nothing for this long no longer holds the watermark back; when none landed anything for this long and this lander has no lag, the watermark moves to the wall clock (so the last windows become final after the input stops).',
      60_000,
      { min: 100, max: 86_400_000 },
    ),
    AGG_MAX_FUTURE_MS: intVar(
      'Events dated more than this after their Kafka timestamp (a till clock years off) are aggregated but do not move the watermark.',
      300_000,
      { min: 0, max: 86_400_000 },
    ),
  },
  (v) => ({
    enabled: v.AGGREGATES_ENABLED,
    graceMs: v.AGG_GRACE_PERIOD_MS,
    cycleIntervalMs: v.AGG_CYCLE_INTERVAL_MS,
    catchUpCycleIntervalMs: v.AGG_CATCHUP_CYCLE_INTERVAL_MS,
    cycleMaxRows: v.AGG_CYCLE_MAX_ROWS,
    rollingMaxAdvanceMinutes: v.AGG_ROLLING_MAX_ADVANCE_MINUTES,
    idleMs: v.AGG_IDLE_MS,
    maxFutureMs: v.AGG_MAX_FUTURE_MS,
  }),
)

export type AggregatesConfig = ReturnType<typeof aggregatesSection.build>
