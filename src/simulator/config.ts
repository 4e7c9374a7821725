/** The simulator's settings (docs/configuration.md, section "simulator"). */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { boolVar, defineSection, enumVar, intVar, numberVar, stringVar } from '../platform/config.ts'
import { componentPorts } from '../platform/control-targets.ts'
import { peakRate, RATE_SHAPES, type RateShape } from './pacer.ts'

const share = (description: string, fallback: number) => numberVar(description, fallback, { min: 0, max: 1 })

/** The simulator's HTTP port; the CLI reads it too, to find the simulator. */
export const SIMULATOR_PORT = componentPorts.simulator

export const simulatorSection = defineSection(
  {
    SIMULATOR_PORT,
    SIMULATOR_HOST: stringVar(
      'Address the simulator’s HTTP server listens on (0.0.0.0 in a container).',
      '127.0.0.1',
    ),
    RATE_PER_SEC: optionalRateVar(
      'Sale-line events per second at start (changed at runtime with `sretl rate` or POST /rate). Default: 100 with the live clock, the cap with the simulated clock.',
    ),
    SIMULATOR_MAX_RATE_PER_SEC: numberVar(
      'Safety cap: the highest rate anyone may set; higher requests are refused (422 RATE_ABOVE_CAP), logged and counted.',
      25_000,
      { min: 0 },
    ),
    SIMULATOR_RATE_SHAPE: enumVar(
      'How the rate moves over time: constant, sine (around the rate) or step (the rate, then rate × factor, each half period).',
      RATE_SHAPES,
      'constant',
    ),
    SIMULATOR_SHAPE_PERIOD_SEC: numberVar('Period of the sine and step shapes, in seconds.', 60, {
      min: 0.1,
    }),
    SIMULATOR_SHAPE_AMPLITUDE: numberVar('Sine shape: swing as a share of the rate (0.5 = ±50 %).', 0.5, {
      min: 0,
      max: 1,
    }),
    SIMULATOR_SHAPE_STEP_FACTOR: numberVar('Step shape: the rate multiplier of the second half period.', 2, {
      min: 0,
    }),
    SIMULATOR_BUDGET_EVENTS: intVar('Stop after producing this many messages; 0 = no limit.', 0, { min: 0 }),
    SIMULATOR_SEED: stringVar(
      'Seed of the event generator: the same seed and settings give the same events. Default: a random seed, shown in /status and the log.',
    ),
    SIMULATOR_CLOCK: enumVar(
      'live: events happen now. simulated: write SIMULATOR_HISTORY_DAYS of history as fast as Kafka takes it (backfills, tests).',
      ['live', 'simulated'],
      'live',
    ),
    SIMULATOR_HISTORY_DAYS: numberVar('Simulated clock: days of history to write.', 7, {
      min: 0.001,
      max: 3650,
    }),
    SIMULATOR_HISTORY_START: stringVar(
      'Simulated clock: first instant of the history (ISO 8601). Default: midnight UTC, SIMULATOR_HISTORY_DAYS days ago.',
    ),
    SIMULATOR_EVENTS_PER_DAY: intVar('Simulated clock: sale lines per simulated day on average.', 1_000_000, {
      min: 1,
    }),
    SIMULATOR_EXIT_WHEN_DONE: boolVar(
      'Exit once the budget or the simulated history is complete (for scripts); otherwise keep serving /status.',
      false,
    ),
    SIMULATOR_ZIPF_EXPONENT: numberVar('SKU popularity: P(rank k) ∝ 1/k^exponent.', 1.1, { min: 0, max: 5 }),
    SIMULATOR_RETURN_SHARE: share('Share of receipts that return items of an earlier receipt.', 0.03),
    SIMULATOR_VOID_SHARE: share('Chance that a cashier voids a line right after scanning it.', 0.01),
    SIMULATOR_ANONYMOUS_SHARE: share('Share of receipts without a loyalty card (no customer_ref).', 0.55),
    SIMULATOR_PROMOTIONS_PER_WEEK: intVar('Chain-wide promotions started per week.', 6, { min: 0, max: 100 }),
    SIMULATOR_LUNCH_PEAK_HOUR: intVar('Local hour (0–23) of the lunch peak in every store.', 12, {
      min: 0,
      max: 23,
    }),
    SIMULATOR_EVENING_PEAK_HOUR: intVar('Local hour (0–23) of the busiest hour of the day.', 18, {
      min: 0,
      max: 23,
    }),
    SIMULATOR_WEEKEND_UPLIFT: numberVar('Traffic multiplier on local Saturdays and Sundays.', 1.3, {
      min: 0,
      max: 10,
    }),
    SIMULATOR_LOYALTY_KEY: stringVar(
      'Key of the HMAC that turns loyalty ids into customer_ref (a secret in production; SIMULATOR_LOYALTY_KEY_FILE works).',
      'sretl-development-loyalty-key',
    ),
    SIMULATOR_FAULT_LATE_SHARE: share('Fault: share of receipts sent late.', 0),
    SIMULATOR_FAULT_LATE_MEAN_DELAY_MS: intVar(
      'Fault: mean delay of late receipts (exponential, at most a day).',
      120_000,
      {
        min: 1,
        max: 86_400_000,
      },
    ),
    SIMULATOR_FAULT_OFFLINE_SHARE: share(
      'Fault: chance per receipt that an offline register comes back and uploads its held receipts at once.',
      0,
    ),
    SIMULATOR_FAULT_OFFLINE_MINUTES: intVar('Fault: how long an offline register was cut off.', 10, {
      min: 1,
      max: 1440,
    }),
    SIMULATOR_FAULT_DUPLICATE_SHARE: share('Fault: share of events sent twice with the same event_id.', 0),
    SIMULATOR_FAULT_MALFORMED_SHARE: share(
      'Fault: share of events accompanied by a malformed message (cut-off JSON, wrong types, negative price, missing field, wrong net amount, bad UTF-8).',
      0,
    ),
    SIMULATOR_FAULT_FAR_DATE_SHARE: share(
      'Fault: share of receipts dated 1–5 years in the past or future.',
      0,
    ),
    SIMULATOR_MAX_IN_FLIGHT: intVar('Most events handed to Kafka and not yet acknowledged.', 20_000, {
      min: 1,
      max: 1_000_000,
    }),
    SIMULATOR_BATCH_MAX: intVar('Most events per produce call.', 1000, { min: 1, max: 100_000 }),
    SIMULATOR_TICK_MS: intVar('Longest pause between two pacing decisions, in ms.', 5, { min: 1, max: 1000 }),
  },
  (v, env) => {
    const shape = rateShape(v.SIMULATOR_RATE_SHAPE, v)
    const simulated = v.SIMULATOR_CLOCK === 'simulated'
    const cap = v.SIMULATOR_MAX_RATE_PER_SEC
    const rate =
      v.RATE_PER_SEC !== undefined
        ? v.RATE_PER_SEC
        : simulated
          ? cap / peakRate(1, shape)
          : Math.min(100, cap)
    if (peakRate(rate, shape) > cap) {
      throw new Error(
        `RATE_PER_SEC: ${rate} events/s${shape.kind === 'constant' ? '' : ` (peaking at ${peakRate(rate, shape)} with the ${shape.kind} shape)`} is above SIMULATOR_MAX_RATE_PER_SEC=${cap}`,
      )
    }
    if (v.SIMULATOR_BATCH_MAX > v.SIMULATOR_MAX_IN_FLIGHT) {
      throw new Error('SIMULATOR_BATCH_MAX: must not exceed SIMULATOR_MAX_IN_FLIGHT')
    }
    const days = v.SIMULATOR_HISTORY_DAYS
    let historyStart: number
    if (v.SIMULATOR_HISTORY_START === undefined) {
      const today = new Date()
      historyStart =
        Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - days * 86_400_000
    } else {
      historyStart = Date.parse(v.SIMULATOR_HISTORY_START)
      if (Number.isNaN(historyStart)) {
        throw new Error(
          `SIMULATOR_HISTORY_START: must be an ISO 8601 instant, got "${v.SIMULATOR_HISTORY_START}"`,
        )
      }
    }
    const faultShares = [
      v.SIMULATOR_FAULT_LATE_SHARE,
      v.SIMULATOR_FAULT_OFFLINE_SHARE,
      v.SIMULATOR_FAULT_FAR_DATE_SHARE,
    ]
    if (faultShares.reduce((a, b) => a + b, 0) > 1) {
      throw new Error(
        'SIMULATOR_FAULT_LATE_SHARE + _OFFLINE_SHARE + _FAR_DATE_SHARE: must add up to at most 1',
      )
    }
    return {
      port: v.SIMULATOR_PORT,
      host: v.SIMULATOR_HOST,
      ratePerSec: rate,
      capPerSec: cap,
      shape,
      budget: v.SIMULATOR_BUDGET_EVENTS === 0 ? undefined : v.SIMULATOR_BUDGET_EVENTS,
      seed: v.SIMULATOR_SEED ?? randomBytes(6).toString('hex'),
      clock: v.SIMULATOR_CLOCK,
      history: {
        startMs: historyStart,
        endMs: historyStart + days * 86_400_000,
        eventsPerDay: v.SIMULATOR_EVENTS_PER_DAY,
      },
      exitWhenDone: v.SIMULATOR_EXIT_WHEN_DONE,
      receipts: {
        zipfExponent: v.SIMULATOR_ZIPF_EXPONENT,
        returnShare: v.SIMULATOR_RETURN_SHARE,
        voidShare: v.SIMULATOR_VOID_SHARE,
        anonymousShare: v.SIMULATOR_ANONYMOUS_SHARE,
        promotionsPerWeek: v.SIMULATOR_PROMOTIONS_PER_WEEK,
        traffic: {
          lunchPeakHour: v.SIMULATOR_LUNCH_PEAK_HOUR,
          eveningPeakHour: v.SIMULATOR_EVENING_PEAK_HOUR,
          weekendUplift: v.SIMULATOR_WEEKEND_UPLIFT,
        },
        loyaltyKey: v.SIMULATOR_LOYALTY_KEY,
      },
      faults: {
        lateShare: v.SIMULATOR_FAULT_LATE_SHARE,
        lateMeanDelayMs: v.SIMULATOR_FAULT_LATE_MEAN_DELAY_MS,
        offlineShare: v.SIMULATOR_FAULT_OFFLINE_SHARE,
        offlineMinutes: v.SIMULATOR_FAULT_OFFLINE_MINUTES,
        duplicateShare: v.SIMULATOR_FAULT_DUPLICATE_SHARE,
        malformedShare: v.SIMULATOR_FAULT_MALFORMED_SHARE,
        farDateShare: v.SIMULATOR_FAULT_FAR_DATE_SHARE,
      },
      maxInFlight: v.SIMULATOR_MAX_IN_FLIGHT,
      maxBatch: v.SIMULATOR_BATCH_MAX,
      tickMs: v.SIMULATOR_TICK_MS,
      loyaltyKeyIsDefault:
        env.SIMULATOR_LOYALTY_KEY === undefined && env.SIMULATOR_LOYALTY_KEY_FILE === undefined,
    }
  },
)

export type SimulatorConfig = ReturnType<typeof simulatorSection.build>

function rateShape(
  kind: (typeof RATE_SHAPES)[number],
  v: {
    SIMULATOR_SHAPE_PERIOD_SEC: number
    SIMULATOR_SHAPE_AMPLITUDE: number
    SIMULATOR_SHAPE_STEP_FACTOR: number
  },
): RateShape {
  const periodMs = v.SIMULATOR_SHAPE_PERIOD_SEC * 1000
  if (kind === 'sine') return { kind, periodMs, amplitude: v.SIMULATOR_SHAPE_AMPLITUDE }
  if (kind === 'step') return { kind, periodMs, factor: v.SIMULATOR_SHAPE_STEP_FACTOR }
  return { kind: 'constant' }
}

/** A number ≥ 0 without a default (the default depends on other settings). */
function optionalRateVar(description: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined
      const n = Number(raw.trim().replaceAll('_', ''))
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: `must be a number ≥ 0, got "${raw}"` })
        return z.NEVER
      }
      return n
    })
    .describe(description)
}
