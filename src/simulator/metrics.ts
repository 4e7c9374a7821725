/** The simulator's metrics (docs/metrics.md lists them). */
import { Counter, Histogram } from 'prom-client'
import { operationBucketsSeconds, scrapedGauges, type MetricsRegistry } from '../platform/metrics.ts'
import { FAULT_KINDS, MESSAGE_TYPES } from './event-source.ts'

export interface SimulatorReadings {
  targetRate(): number
  actualRate(): number
  paused(): boolean
  inFlight(): number
  capPerSec(): number
}

export function createSimulatorMetrics(registry: MetricsRegistry) {
  const registers = [registry]
  const events = new Counter({
    name: 'sretl_simulator_events_total',
    help: 'Messages Kafka acknowledged, by type (SALE, RETURN, VOID, MALFORMED).',
    labelNames: ['type'],
    registers,
  })
  for (const type of MESSAGE_TYPES) events.inc({ type }, 0)
  const faults = new Counter({
    name: 'sretl_simulator_faults_total',
    help: 'Messages a fault injection touched, by kind (late, offline_burst, duplicate, malformed, far_date).',
    labelNames: ['kind'],
    registers,
  })
  for (const kind of FAULT_KINDS) faults.inc({ kind }, 0)
  const metrics = {
    events,
    faults,
    errors: new Counter({
      name: 'sretl_simulator_errors_total',
      help: 'Produce errors and stalls, by error code.',
      labelNames: ['code'],
      registers,
    }),
    rateRefused: new Counter({
      name: 'sretl_simulator_rate_refused_total',
      help: 'Rate changes refused, by reason (above_cap, invalid).',
      labelNames: ['reason'],
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'sretl_simulator_produce_seconds',
      help: 'Time from handing a batch to the Kafka client to its acknowledgement.',
      buckets: [...operationBucketsSeconds],
      registers,
    }),
  }
  return metrics
}

export type SimulatorMetrics = ReturnType<typeof createSimulatorMetrics>

/** Gauges read from the running simulator whenever Prometheus scrapes. */
export function registerSimulatorGauges(registry: MetricsRegistry, readings: SimulatorReadings): void {
  const gauge = scrapedGauges(registry)
  gauge('sretl_simulator_target_rate_per_second', 'Events per second the simulator aims at now.', () =>
    readings.targetRate(),
  )
  gauge(
    'sretl_simulator_actual_rate_per_second',
    'Events per second Kafka acknowledged, over the last 3 seconds.',
    () => readings.actualRate(),
  )
  gauge('sretl_simulator_paused', '1 while paused by an operator, else 0.', () => (readings.paused() ? 1 : 0))
  gauge('sretl_simulator_in_flight_events', 'Events handed to Kafka and not yet acknowledged.', () =>
    readings.inFlight(),
  )
  gauge('sretl_simulator_cap_per_second', 'The safety cap: the highest rate an operator may set.', () =>
    readings.capPerSec(),
  )
}
