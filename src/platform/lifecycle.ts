/**
 * Start/stop ordering and signal handling. Resources are registered as they start and stopped in
 * reverse order, each with a time limit, so one stuck close cannot keep the process alive.
 */
import type { Logger } from './logger.ts'

export interface Stoppable {
  readonly name: string
  readonly stop: () => Promise<void> | void
}

export interface Lifecycle {
  /** Registers something to stop; later registrations stop first. */
  add(name: string, stop: () => Promise<void> | void): void
  /** Stops everything once, in reverse order; later calls wait for the first. */
  stop(reason: string): Promise<void>
  /** Resolves when stop() has been called (by a signal or by code). */
  readonly stopped: Promise<string>
  readonly stopping: boolean
  /** Stops on SIGINT/SIGTERM; a second signal exits at once. Returns a function removing the handlers. */
  handleSignals(onSecondSignal?: () => void): () => void
}

export interface LifecycleOptions {
  readonly logger: Logger
  /** Longest time one resource may take to stop. */
  readonly stopTimeoutMs?: number
}

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { logger } = options
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000
  const resources: Stoppable[] = []
  let stopPromise: Promise<void> | undefined
  let resolveStopped!: (reason: string) => void
  const stopped = new Promise<string>((resolve) => {
    resolveStopped = resolve
  })

  async function stopOne(resource: Stoppable): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), stopTimeoutMs)
      timer.unref()
    })
    try {
      const outcome = await Promise.race([Promise.resolve().then(resource.stop), timeout])
      if (outcome === 'timeout') {
        logger.warn({ resource: resource.name, timeoutMs: stopTimeoutMs }, 'resource did not stop in time')
      }
    } catch (err) {
      logger.error({ resource: resource.name, err }, 'resource failed to stop')
    } finally {
      clearTimeout(timer)
    }
  }

  const lifecycle: Lifecycle = {
    add(name, stop) {
      resources.push({ name, stop })
    },
    stop(reason) {
      stopPromise ??= (async () => {
        logger.info({ reason }, 'stopping')
        resolveStopped(reason)
        while (resources.length > 0) {
          const resource = resources.pop()
          if (resource) await stopOne(resource)
        }
        logger.info({ reason }, 'stopped')
      })()
      return stopPromise
    },
    stopped,
    get stopping() {
      return stopPromise !== undefined
    },
    handleSignals(onSecondSignal) {
      let signals = 0
      const handler = (signal: NodeJS.Signals): void => {
        signals += 1
        if (signals > 1) {
          logger.warn({ signal }, 'second signal: exiting without waiting')
          onSecondSignal?.()
          process.exit(130)
        }
        void lifecycle.stop(signal)
      }
      process.on('SIGINT', handler)
      process.on('SIGTERM', handler)
      return () => {
        process.off('SIGINT', handler)
        process.off('SIGTERM', handler)
      }
    },
  }
  return lifecycle
}

/** Resolves after `ms`, or at once when the signal aborts (without throwing). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve()
      return
    }
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Capped exponential backoff with full jitter: attempt 1 → up to base, doubling to cap. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
