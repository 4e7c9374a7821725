/**
 * What the local stack has started: the services as `sretl up` shows them, the supervisors that
 * keep them running, and how to stop each. Stops run in reverse start order, after supervision
 * has ended, so a process being stopped is not restarted.
 */
import { errorMessage } from '../platform/errors.ts'
import type { Logger } from '../platform/logger.ts'
import type { OnProgress } from './progress.ts'
import type { ServiceState } from './state.ts'
import {
  supervise,
  type Supervisable,
  type SupervisionPolicy,
  type Supervisor,
  type SupervisorEvent,
} from './supervisor.ts'

export interface StackServicesOptions {
  readonly policy: SupervisionPolicy
  readonly logger: Logger
  readonly onProgress: OnProgress
  /** After each exit, restart or give-up of a supervised process, with the services as they are now. */
  readonly onSupervision?: ((event: SupervisorEvent, services: readonly ServiceState[]) => void) | undefined
}

export interface StackServices {
  /** The services as they are now: supervision events replace entries in place. */
  readonly list: ServiceState[]
  add(service: ServiceState): void
  /** Supervises a process from now on; `stopAll` ends supervision before stopping it. */
  supervise<P extends Supervisable>(name: string, first: P, restart: () => Promise<P>): Supervisor<P>
  onStop(name: string, stop: () => Promise<void>): void
  readonly stopAll: () => Promise<void>
}

export function createStackServices(options: StackServicesOptions): StackServices {
  const { onProgress } = options
  const stops: { name: string; stop: () => Promise<void> }[] = []
  const services: ServiceState[] = []
  const supervisors: Supervisor<Supervisable>[] = []
  const onEvent = (event: SupervisorEvent): void => {
    const index = services.findIndex((s) => s.name === event.name)
    const service = services[index]
    if (service) services[index] = afterEvent(service, event, new Date())
    options.logger[event.kind === 'restarted' ? 'info' : 'warn'](
      { service: event.name, restarts: event.restarts, pid: event.pid },
      event.message,
    )
    options.onSupervision?.(event, services)
  }
  return {
    list: services,
    add: (service) => void services.push(service),
    supervise: (name, first, restart) => {
      const supervisor = supervise({ name, first, restart, policy: options.policy, onEvent })
      supervisors.push(supervisor)
      return supervisor
    },
    onStop: (name, stop) => void stops.push({ name, stop }),
    stopAll: async () => {
      await Promise.all(supervisors.map((s) => s.stop()))
      while (stops.length > 0) {
        const item = stops.pop()
        if (!item) continue
        onProgress({ step: item.name, state: 'update', detail: 'stopping…' })
        try {
          await item.stop()
          onProgress({ step: item.name, state: 'done', detail: 'stopped' })
        } catch (err) {
          onProgress({ step: item.name, state: 'fail', detail: `stop failed: ${errorMessage(err)}` })
        }
      }
    },
  }
}

/** A service as a supervision event leaves it: a restart brings a new pid, any event a new state. */
export function afterEvent(service: ServiceState, event: SupervisorEvent, at: Date): ServiceState {
  const { pid: _previous, ...rest } = service
  const pid = event.kind === 'restarted' ? event.pid : service.pid
  return {
    ...rest,
    ...(pid === undefined ? {} : { pid }),
    restarts: event.restarts,
    supervision: event.state,
    lastEvent: { at: at.toISOString(), message: event.message },
  }
}
