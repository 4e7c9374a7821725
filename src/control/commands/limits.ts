/**
 * The safe limits of the simulator's rate, enforced here on the server whatever the client:
 *
 * - the cap: the highest rate operators may set. An admin sets it (at most the simulator's own
 *   hard cap, SIMULATOR_MAX_RATE_PER_SEC); the last change is an audit_log row, so it survives a
 *   restart of the control service. Above it: refused, RATE_ABOVE_CAP, naming who set it.
 * - big jumps: raising the rate to more than `confirmFactor` × the current rate (and by more than
 *   `confirmMinStep` events/s) needs `confirm: true`; without it: refused, CONFIRMATION_REQUIRED,
 *   saying exactly what to confirm. Lowering the rate never needs a confirmation: it is the safe
 *   direction in an incident.
 */
import { formatRate } from '../format.ts'

export interface RateLimitSettings {
  /** The cap until an admin sets one; null: the simulator's own cap. */
  readonly defaultCapPerSec: number | null
  readonly confirmFactor: number
  readonly confirmMinStep: number
}

export interface CapSetting {
  /** What an admin set (or the configured default); null: none, the simulator's cap applies. */
  readonly capPerSec: number | null
  readonly setBy: string | null
  readonly setAt: string | null
}

export type RateCheck =
  | { readonly ok: true }
  | {
      readonly ok: false
      readonly code: 'RATE_INVALID' | 'RATE_ABOVE_CAP' | 'CONFIRMATION_REQUIRED'
      readonly message: string
      readonly extra: Readonly<Record<string, unknown>>
    }

/** The lower of the admin's cap and the simulator's own (either may be unknown). */
export function effectiveCap(cap: CapSetting, hardCapPerSec: number | null): number | null {
  const caps = [cap.capPerSec, hardCapPerSec].filter((c): c is number => c !== null)
  return caps.length === 0 ? null : Math.min(...caps)
}

export function checkRateChange(input: {
  readonly current: number
  readonly requested: unknown
  readonly confirm: boolean
  readonly cap: CapSetting
  readonly hardCapPerSec: number | null
  readonly settings: RateLimitSettings
}): RateCheck {
  const { current, requested, cap, hardCapPerSec, settings } = input
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested < 0) {
    return {
      ok: false,
      code: 'RATE_INVALID',
      message: 'ratePerSec must be a number of events per second ≥ 0',
      extra: {},
    }
  }
  const limit = effectiveCap(cap, hardCapPerSec)
  if (limit !== null && requested > limit) {
    const adminCap = cap.capPerSec !== null && (hardCapPerSec === null || cap.capPerSec <= hardCapPerSec)
    const who = adminCap
      ? cap.setBy
        ? `set by ${cap.setBy}${cap.setAt ? ` on ${cap.setAt.slice(0, 16).replace('T', ' ')} UTC` : ''}`
        : 'configured with CONTROL_RATE_CAP_PER_SEC'
      : 'the simulator’s own limit, SIMULATOR_MAX_RATE_PER_SEC'
    const raise =
      adminCap && hardCapPerSec !== null
        ? `; an admin can raise the cap up to ${formatRate(hardCapPerSec)}`
        : adminCap
          ? '; an admin can raise the cap'
          : ''
    return {
      ok: false,
      code: 'RATE_ABOVE_CAP',
      message: `${formatRate(requested)} is above the safe cap of ${formatRate(limit)} (${who})${raise}. The rate stays at ${formatRate(current)}.`,
      extra: { capPerSec: limit, requestedPerSec: requested, currentPerSec: current },
    }
  }
  const step = requested - current
  const factor = current > 0 ? requested / current : Number.POSITIVE_INFINITY
  if (step > settings.confirmMinStep && factor > settings.confirmFactor && !input.confirm) {
    const times = Number.isFinite(factor)
      ? `${factor >= 10 ? Math.round(factor) : factor.toFixed(1)}×`
      : 'a jump from 0'
    return {
      ok: false,
      code: 'CONFIRMATION_REQUIRED',
      message: `raising the rate from ${formatRate(current)} to ${formatRate(requested)} is ${times} (more than ${settings.confirmFactor}× needs a confirmation); send it again with "confirm": true to apply it`,
      extra: {
        currentPerSec: current,
        requestedPerSec: requested,
        confirmFactor: settings.confirmFactor,
        confirm: { ratePerSec: requested, confirm: true },
      },
    }
  }
  return { ok: true }
}

/** The admin's cap, in memory, loaded from and recorded in the audit trail. */
export class RateCap {
  #setting: CapSetting

  constructor(defaultCapPerSec: number | null) {
    this.#setting = { capPerSec: defaultCapPerSec, setBy: null, setAt: null }
  }

  get(): CapSetting {
    return this.#setting
  }

  set(setting: CapSetting): void {
    this.#setting = setting
  }
}
