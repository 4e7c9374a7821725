/**
 * Reads every component's /status and /metrics every poll interval (one round at a time, each
 * call bounded by the interval), keeps the latest reading of each, appends one chart point to a
 * bounded history, and tells listeners (the live stream) after each round.
 */
import type { ComponentName } from '../platform/control-targets.ts'
import { errorMessage } from '../platform/errors.ts'
import type { ComponentClient } from './component-client.ts'
import { summarize, type Health, type HealthSettings } from './health.ts'
import { CounterRates, errorCount, toPoint, type Point, type Reading } from './readings.ts'

export interface PollerOptions {
  readonly client: ComponentClient
  readonly components: readonly ComponentName[]
  readonly intervalMs: number
  readonly historyPoints: number
  readonly health: HealthSettings
  readonly clock: () => number
  readonly onReading?: (reading: Reading) => void
}

export interface Snapshot {
  readonly at: number
  readonly components: readonly Reading[]
  readonly point: Point | undefined
  readonly health: Health
}

export class Poller {
  readonly #options: PollerOptions
  readonly #readings = new Map<string, Reading>()
  readonly #points: Point[] = []
  readonly #rates = new CounterRates()
  readonly #listeners = new Set<(snapshot: Snapshot) => void>()
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  #round: Promise<void> | undefined

  constructor(options: PollerOptions) {
    this.#options = options
    for (const name of options.components) {
      this.#readings.set(name, {
        name,
        reachable: false,
        checkedAt: 0,
        lastSeenAt: null,
        error: 'not read yet',
      })
    }
  }

  start(): void {
    this.#schedule(0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#round
  }

  /** Runs one round now (tests, and the first answer after start). */
  async poll(): Promise<void> {
    const { client, clock } = this.#options
    const timeout = Math.max(500, this.#options.intervalMs)
    await Promise.all(
      this.#options.components.map(async (name) => {
        const previous = this.#readings.get(name)
        let reading: Reading
        try {
          const [status, metrics] = await Promise.all([
            client.status(name, timeout),
            client.metrics(name, timeout).catch(() => undefined),
          ])
          const now = clock()
          reading = {
            name,
            reachable: true,
            status,
            errorCount: metrics === undefined ? undefined : errorCount(name, metrics),
            checkedAt: now,
            lastSeenAt: now,
          }
        } catch (err) {
          reading = {
            name,
            reachable: false,
            error: errorMessage(err),
            checkedAt: clock(),
            lastSeenAt: previous?.lastSeenAt ?? null,
          }
        }
        this.#readings.set(name, reading)
        this.#options.onReading?.(reading)
      }),
    )
    this.#points.push(toPoint(this.#readings, this.#rates, clock()))
    while (this.#points.length > this.#options.historyPoints) this.#points.shift()
    const snapshot = this.snapshot()
    for (const listener of this.#listeners) listener(snapshot)
  }

  /**
   * Reads these components' status now, after a command changed them, so the next overview and
   * every panel show its effect at once instead of after the next round (no chart point added).
   */
  async refresh(names: readonly string[]): Promise<void> {
    const { client, clock } = this.#options
    const timeout = Math.max(500, this.#options.intervalMs)
    await Promise.all(
      this.#options.components
        .filter((c) => names.includes(c))
        .map(async (name) => {
          const previous = this.#readings.get(name)
          if (!previous) return
          try {
            const status = await client.status(name, timeout)
            const now = clock()
            this.#readings.set(name, {
              ...previous,
              reachable: true,
              status,
              error: undefined,
              checkedAt: now,
              lastSeenAt: now,
            })
          } catch {
            // the next round reads it again and records why
          }
        }),
    )
    const snapshot = this.snapshot()
    for (const listener of this.#listeners) listener(snapshot)
  }

  readings(): ReadonlyMap<string, Reading> {
    return this.#readings
  }

  points(): readonly Point[] {
    return this.#points
  }

  snapshot(): Snapshot {
    const now = this.#options.clock()
    return {
      at: now,
      components: [...this.#readings.values()],
      point: this.#points.at(-1),
      health: summarize(this.#readings, this.#points, this.#options.health, now),
    }
  }

  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      const started = this.#options.clock()
      this.#round = this.poll()
        .catch(() => undefined)
        .finally(() => {
          this.#round = undefined
          this.#schedule(Math.max(0, this.#options.intervalMs - (this.#options.clock() - started)))
        })
    }, delayMs)
  }
}
