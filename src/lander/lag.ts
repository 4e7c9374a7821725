/**
 * Consumer lag: the partitions' end offsets, read on every group join and on a timer, and the
 * lag gauges derived from them through the lander's status (which knows the landed offsets).
 */
import type { BytesConsumer } from '../platform/kafka.ts'
import type { Logger } from '../platform/logger.ts'
import type { LanderMetrics } from './metrics.ts'
import type { LagSnapshot, LanderStatus } from './status.ts'

export interface LagDeps {
  readonly consumer: Pick<BytesConsumer, 'listOffsets'>
  readonly topic: string
  readonly clock: () => number
  readonly logger: Logger
  readonly metrics: Pick<LanderMetrics, 'lagMessages' | 'lagSeconds'>
  /** The status the gauges are derived from, computed with the latest snapshot. */
  readonly status: () => LanderStatus
}

export interface Lag {
  snapshot(): LagSnapshot
  /** Reads the end offsets (a failure keeps the previous ones) and updates the gauges. */
  refresh(): Promise<void>
}

export function createLag(deps: LagDeps): Lag {
  const { metrics } = deps
  let lag: LagSnapshot = { endOffsets: new Map(), at: undefined }

  const updateGauges = (): void => {
    const snapshot = deps.status()
    metrics.lagMessages.reset()
    metrics.lagSeconds.reset()
    for (const p of snapshot.details.partitions) {
      if (p.lagMessages !== null) metrics.lagMessages.set({ partition: String(p.partition) }, p.lagMessages)
      if (p.lagSeconds !== null) metrics.lagSeconds.set({ partition: String(p.partition) }, p.lagSeconds)
    }
  }

  return {
    snapshot: () => lag,
    async refresh() {
      try {
        const offsets = await deps.consumer.listOffsets({ topics: [deps.topic] })
        const list = offsets.get(deps.topic) ?? []
        lag = { endOffsets: new Map(list.map((o, p) => [p, o])), at: deps.clock() }
      } catch (err) {
        deps.logger.debug({ err }, 'reading end offsets failed')
      }
      updateGauges()
    },
  }
}
