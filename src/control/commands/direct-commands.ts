/**
 * The audit of commands that reached a component without the control service: someone holding
 * the component-admin token called POST /pause, /rate… directly (an admin's script, `sretl`
 * with the control service down). Each component journals the commands it applied in /status
 * (component-admin.ts); the control service polls /status anyway, and writes one audit_log row
 * for every journalled command it did not give itself and no row records yet (ADR 0050).
 */
import type { AppliedCommand } from '../../platform/component-admin.ts'
import type { ComponentStatus } from '../../platform/component-server.ts'
import type { Logger } from '../../platform/logger.ts'
import type { AuditLog } from '../audit.ts'

const ACTIONS: Record<string, string> = { pause: 'pause', resume: 'resume', rate: 'rate.set' }

export const DIRECT_ACTOR = 'component-admin-token'

export class DirectCommandAudit {
  readonly #audit: AuditLog
  readonly #issued: (commandId: string) => boolean
  readonly #logger: Logger
  readonly #onFailure: () => void
  /** Highest journal sequence handled, per component instance (host:pid). */
  readonly #seen = new Map<string, number>()
  #busy = false

  constructor(options: {
    audit: AuditLog
    issued: (commandId: string) => boolean
    logger: Logger
    onFailure?: () => void
  }) {
    this.#audit = options.audit
    this.#issued = options.issued
    this.#logger = options.logger
    this.#onFailure = options.onFailure ?? (() => undefined)
  }

  /** Called with each /status read; audits what is new (one pass at a time). */
  observe(name: string, status: ComponentStatus | undefined): Promise<void> {
    const commands = status?.commands
    if (!status || !commands || commands.length === 0 || this.#busy) return Promise.resolve()
    const last = this.#seen.get(status.instance) ?? 0
    const fresh = commands.filter((c) => c.seq > last)
    if (fresh.length === 0) return Promise.resolve()
    this.#busy = true
    return this.#write(name, status.instance, fresh).finally(() => {
      this.#busy = false
    })
  }

  async #write(name: string, instance: string, fresh: readonly AppliedCommand[]): Promise<void> {
    for (const command of fresh) {
      try {
        if (!this.#issued(command.id) && !(await this.#audit.hasCommand(command.id))) {
          await this.#audit.write({
            actor: DIRECT_ACTOR,
            role: 'component-admin',
            action: ACTIONS[command.action] ?? command.action,
            target: name,
            sourceIp: command.sourceIp,
            userAgent: command.userAgent,
            before: { state: command.before },
            after: { state: command.after },
            result: 'ok',
            detail: {
              via: 'direct',
              commandId: command.id,
              appliedAt: command.at,
              instance,
              request: command.request,
            },
          })
          this.#logger.warn(
            { target: name, action: command.action, commandId: command.id },
            'a command reached a component directly; audited',
          )
        }
        this.#seen.set(instance, command.seq)
      } catch (err) {
        // left unseen: the next poll tries again
        this.#onFailure()
        this.#logger.error({ err, commandId: command.id }, 'audit of a direct command failed')
        return
      }
    }
  }
}
