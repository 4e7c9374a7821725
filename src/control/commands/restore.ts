/**
 * What survives a restart (ADR 0070): the settings operators give at runtime — the simulator's
 * rate, whether each component is paused, the admin's rate cap — are kept in the one place that
 * already records them, the audit trail, and the control service puts them back. The cap lives in
 * the control service itself (loadRateCap); the rate and the pauses live in the components, which
 * start from their configuration, so whenever the control service sees a component for the first
 * time or as a new process (its instance changed: `sretl up` again, a supervisor's restart) it
 * re-applies the last applied rate and pause through the commander — checked against the cap and
 * audited like any command, by the user `sretl-control`, naming the row it restores.
 */
import type { ComponentStatus } from '../../platform/component-server.ts'
import { isControlTarget } from '../../platform/control-targets.ts'
import type { Logger } from '../../platform/logger.ts'
import type { AuditLog, AuditRow } from '../audit.ts'
import type { Actor, Commander, CommandOutcome } from './commander.ts'
import type { Reading } from '../readings.ts'

/** Who the restoring commands are audited as. */
export const RESTORER: Actor = { user: 'sretl-control', role: 'admin' }

/** The operator's command a restored setting comes from (a restore of a restore names the first). */
export interface Origin {
  readonly auditId: number
  readonly actor: string
  readonly at: string
  readonly reason?: string | undefined
}

export interface Remembered {
  /** The last rate an operator set; undefined: none, the simulator's configuration stands. */
  readonly rate?: { readonly ratePerSec: number; readonly origin: Origin } | undefined
  /** Components whose last flow command paused them. */
  readonly paused: ReadonlyMap<string, Origin>
}

function originOf(row: AuditRow): Origin {
  const detail = (row.detail ?? {}) as { reason?: unknown; restoredFrom?: Origin }
  if (detail.restoredFrom && typeof detail.restoredFrom.auditId === 'number') return detail.restoredFrom
  return {
    auditId: row.id,
    actor: row.actor,
    at: row.at,
    reason: typeof detail.reason === 'string' ? detail.reason : undefined,
  }
}

/** Reads the last applied rate and each component's last pause or resume from the audit trail. */
export async function loadRemembered(audit: AuditLog): Promise<Remembered> {
  const [rateRow] = await audit.list({ limit: 1, action: 'rate.set', result: 'ok' })
  const ratePerSec = (rateRow?.after as { ratePerSec?: unknown } | undefined)?.ratePerSec
  const paused = new Map<string, Origin>()
  for (const [component, row] of await audit.latestFlowPerTarget()) {
    if (row.action === 'pause' || row.action === 'intake.stop') paused.set(component, originOf(row))
  }
  return {
    rate: rateRow && typeof ratePerSec === 'number' ? { ratePerSec, origin: originOf(rateRow) } : undefined,
    paused,
  }
}

/** A restore's outcome for its log line: the result, and the code when it was not applied. */
const resultOf = (outcome: CommandOutcome): { result: string; code?: string } =>
  outcome.kind === 'ok' ? { result: 'ok' } : { result: outcome.kind, code: outcome.code }

const describe = (o: Origin): string =>
  `${o.actor}, ${o.at.slice(0, 16).replace('T', ' ')} UTC, audit #${o.auditId}`

export interface RestorerDeps {
  readonly audit: AuditLog
  readonly commander: Commander
  readonly logger: Logger
  /** After a restore changed a component (the poller reads it again at once). */
  readonly onRestored?: (component: string) => void
}

/**
 * Watches the poller's readings and re-applies the remembered settings to a component seen for
 * the first time or as a new instance, when they differ from what it runs with.
 */
export class SettingsRestorer {
  readonly #deps: RestorerDeps
  /** The instance each component was last restored for. */
  readonly #seen = new Map<string, string>()
  readonly #busy = new Set<string>()
  readonly #done: Promise<void>[] = []

  constructor(deps: RestorerDeps) {
    this.#deps = deps
  }

  /** Called with every reading; starts a restore when the component is new to this process. */
  observe(reading: Reading): void {
    const status = reading.status
    if (!reading.reachable || !status || !isControlTarget(reading.name)) return
    if (this.#seen.get(reading.name) === status.instance || this.#busy.has(reading.name)) return
    this.#busy.add(reading.name)
    const run = this.#restore(reading.name, status)
      .then(() => void this.#seen.set(reading.name, status.instance))
      .catch((err: unknown) => {
        // tried again with the next reading
        this.#deps.logger.warn({ err, component: reading.name }, 'restoring settings failed')
      })
      .finally(() => this.#busy.delete(reading.name))
    this.#done.push(run)
    // settled ones are dropped: the list stays bounded
    while (this.#done.length > 16) void this.#done.shift()
  }

  /** Waits for the restores under way (stop, tests). */
  async settled(): Promise<void> {
    await Promise.all(this.#done)
  }

  async #restore(component: string, status: ComponentStatus): Promise<void> {
    const { commander, logger } = this.#deps
    const remembered = await loadRemembered(this.#deps.audit)
    let changed = false
    const rate = remembered.rate
    const runningRate = status.details.baseRatePerSec
    if (
      component === 'simulator' &&
      rate &&
      typeof runningRate === 'number' &&
      runningRate !== rate.ratePerSec
    ) {
      const outcome = await commander.setRate(RESTORER, rate.ratePerSec, true, {
        reason: `restored after a restart (set by ${describe(rate.origin)})`,
        restoredFrom: rate.origin,
      })
      changed ||= outcome.kind === 'ok'
      logger.info(
        { component, ratePerSec: rate.ratePerSec, from: rate.origin.auditId, ...resultOf(outcome) },
        'restored the simulator rate',
      )
    }
    const pause = remembered.paused.get(component)
    const isPaused = status.state === 'PAUSED' || status.details.paused === true
    if (pause && !isPaused) {
      const outcome = await commander.pause(
        RESTORER,
        component,
        `restored after a restart: ${pause.reason ?? 'paused'} (${describe(pause)})`,
        { restoredFrom: pause },
      )
      changed ||= outcome.kind === 'ok'
      logger.info({ component, from: pause.auditId, ...resultOf(outcome) }, 'restored a pause')
    }
    if (changed) this.#deps.onRestored?.(component)
  }
}
