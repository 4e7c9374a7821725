/**
 * Prometheus metrics (prom-client). One registry per process; metric names follow
 * sretl_<component>_<what>_<unit> and every one is listed in docs/metrics.md.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client'

export type MetricsRegistry = Registry

export interface MetricsOptions {
  /** Added as a `component` label to every series, so one dashboard can tell processes apart. */
  readonly component: string
  /** Node's process metrics (CPU, memory, event loop lag, GC) under their standard names. */
  readonly processMetrics?: boolean
}

export function createMetricsRegistry(options: MetricsOptions): MetricsRegistry {
  const registry = new Registry()
  registry.setDefaultLabels({ component: options.component })
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry })
  return registry
}

/**
 * Registers gauges whose value is read from the running component whenever Prometheus scrapes
 * (queue depths, states): nothing has to remember to set them.
 */
export function scrapedGauges(
  registry: MetricsRegistry,
): (name: string, help: string, read: () => number) => void {
  return (name, help, read) => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read())
      },
    })
  }
}

/** The body and content type of a `/metrics` response. */
export async function renderMetrics(
  registry: MetricsRegistry,
): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() }
}

/**
 * Histogram buckets (seconds) that resolve end-to-end latencies from 5 ms to 60 s: fine steps
 * around the 50–500 ms targets, coarse ones in the tail.
 */
export const latencyBucketsSeconds = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15,
  20, 30, 45, 60,
] as const

/** Buckets (seconds) for short operations: a Kafka send, a database transaction. */
export const operationBucketsSeconds = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const
