/**
 * The named load profiles of `sretl load`: what rate the simulator runs at and what the HTTP tills
 * send, phase by phase. Rates are multiples of the stack's base rate (the simulator's rate when the
 * run starts, 100 events/s by default), so a profile means the same on a laptop and a cluster.
 */

export const PROFILE_NAMES = ['1x', '5x', 'spike', 'soak', 'gateway'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]

export interface LoadPhase {
  /** Seconds from the start of the run at which this phase begins. */
  readonly fromSec: number
  readonly label: string
  /** The simulator's rate as a multiple of the base rate. */
  readonly simulatorFactor: number
  /** Events per second the HTTP tills post, as a multiple of the base rate (0: none). */
  readonly tillsFactor: number
  /** Events per request the tills send in this phase. */
  readonly batch: number
}

export interface LoadProfile {
  readonly name: ProfileName
  readonly summary: string
  readonly defaultMinutes: number
  /** The phases of a run lasting `durationSec`, in time order, the first starting at 0. */
  phases(durationSec: number): readonly LoadPhase[]
}

/** The share of the simulator's rate that the tills add in the steady profiles: a few HTTP stores. */
const TILLS_SHARE = 0.1
const TILL_BATCH = 10
const SPIKE_FACTOR = 10
const SPIKE_MAX_SEC = 120

const steady = (factor: number, label: string): LoadPhase => ({
  fromSec: 0,
  label,
  simulatorFactor: factor,
  tillsFactor: factor * TILLS_SHARE,
  batch: TILL_BATCH,
})

export const PROFILES: Readonly<Record<ProfileName, LoadProfile>> = {
  '1x': {
    name: '1x',
    summary: 'the base rate (the simulator’s own store hours and baskets), plus 10 % through HTTP tills',
    defaultMinutes: 10,
    phases: () => [steady(1, '1×')],
  },
  '5x': {
    name: '5x',
    summary: 'five times the base rate, plus 10 % through HTTP tills',
    defaultMinutes: 10,
    phases: () => [steady(5, '5×')],
  },
  spike: {
    name: 'spike',
    summary:
      'the base rate, then ten times it for two minutes (a third of short runs), then the base rate again',
    defaultMinutes: 6,
    phases: (durationSec) => {
      const start = Math.round(durationSec / 3)
      const length = Math.min(SPIKE_MAX_SEC, Math.round(durationSec / 3))
      return [
        steady(1, 'before the spike'),
        { ...steady(SPIKE_FACTOR, `spike ${SPIKE_FACTOR}×`), fromSec: start },
        { ...steady(1, 'after the spike'), fromSec: start + length },
      ]
    },
  },
  soak: {
    name: 'soak',
    summary: 'five times the base rate for hours (memory and lag must stay flat)',
    defaultMinutes: 180,
    phases: () => [steady(5, 'soak 5×')],
  },
  gateway: {
    name: 'gateway',
    summary:
      'the simulator at the base rate and as much again through HTTP tills, in batches of 1, 10 and 100',
    defaultMinutes: 6,
    phases: (durationSec) =>
      [1, 10, 100].map((batch, i) => ({
        fromSec: Math.round((i * durationSec) / 3),
        label: `tills, batches of ${batch}`,
        simulatorFactor: 1,
        tillsFactor: 1,
        batch,
      })),
  },
}

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name)
}

/** The phase in force `elapsedSec` into the run. */
export function phaseAt(phases: readonly LoadPhase[], elapsedSec: number): LoadPhase {
  let current = phases[0]
  if (current === undefined) throw new Error('a load profile has at least one phase')
  for (const phase of phases) if (phase.fromSec <= elapsedSec) current = phase
  return current
}
