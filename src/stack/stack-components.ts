/**
 * The processes the local stack runs on top of PostgreSQL and Kafka, each supervised: the
 * monitoring parts (before the components, so their start is seen) and the pipeline's components.
 */
import { join } from 'node:path'
import type { PathsConfig } from '../platform/base-config.ts'
import type { MonitoringConfig } from '../platform/monitoring-config.ts'
import type { ComponentLaunch } from './components.ts'
import type { ComponentDatabaseEnv } from './database-logins.ts'
import { startProcess, type StartProcessOptions } from './managed-process.ts'
import { startMonitoring, type MonitoringOutcome } from './monitoring.ts'
import type { OnProgress } from './progress.ts'
import type { SecureStack } from './secure-stack.ts'
import type { StackServices } from './stack-services.ts'

export interface StackMonitoringOptions {
  readonly config: MonitoringConfig
  readonly paths: PathsConfig
  /** The exporter's connection: its own login when the components have theirs. */
  readonly databaseUrl: string
  readonly components: readonly ComponentLaunch[]
  readonly services: StackServices
  readonly onProgress: OnProgress
}

/** Prometheus, Alertmanager and the PostgreSQL exporter, as far as they are installed. */
export async function startStackMonitoring(options: StackMonitoringOptions): Promise<MonitoringOutcome> {
  const { services } = options
  return await startMonitoring({
    config: options.config,
    paths: options.paths,
    databaseUrl: options.databaseUrl,
    components: options.components,
    onProgress: options.onProgress,
    onStarted: (service) => {
      const supervisor = services.supervise(service.name, service.process, () =>
        Promise.resolve(service.restart()),
      )
      services.onStop(service.name, async () => void (await supervisor.current().stop(15_000)))
      services.add({
        name: service.name,
        kind: 'monitoring',
        pid: service.process.pid,
        owned: true,
        address: service.address,
        logFile: service.process.logFile,
        detail: service.detail,
      })
    },
  })
}

export interface StackComponentsOptions {
  readonly components: readonly ComponentLaunch[]
  /** Environment handed to component processes (they parse it themselves). */
  readonly env: NodeJS.ProcessEnv
  readonly paths: PathsConfig
  readonly database: ComponentDatabaseEnv | undefined
  readonly secure: SecureStack | undefined
  readonly services: StackServices
  readonly onProgress: OnProgress
}

/** Each component as a child process, in the given order; its own login and principal override the shared ones. */
export function startStackComponents(options: StackComponentsOptions): void {
  const { services, onProgress } = options
  for (const component of options.components) {
    onProgress({ step: component.name, state: 'start', detail: 'starting…' })
    const launch: StartProcessOptions = {
      name: component.name,
      command: process.execPath,
      args: component.args,
      env: {
        ...options.env,
        ...options.database?.env[component.name],
        ...component.env,
        ...options.secure?.componentEnv(component.name),
      },
      logFile: join(options.paths.logs, `${component.name}.log`),
      pidFile: join(options.paths.run, `${component.name}.pid`),
    }
    const child = startProcess(launch)
    const supervisor = services.supervise(component.name, child, () => Promise.resolve(startProcess(launch)))
    services.onStop(component.name, async () => void (await supervisor.current().stop(15_000)))
    services.add({
      name: component.name,
      kind: 'component',
      pid: child.pid,
      owned: true,
      address: component.address,
      logFile: child.logFile,
    })
    onProgress({ step: component.name, state: 'done', detail: `${component.address} (pid ${child.pid})` })
  }
}
