/** The gateway's metrics (docs/metrics.md lists them). */
import { Counter, Histogram } from 'prom-client'
import { operationBucketsSeconds, scrapedGauges, type MetricsRegistry } from '../platform/metrics.ts'

export interface GatewayReadings {
  inFlightRequests(): number
  inFlightEvents(): number
  paused(): boolean
  kafkaAvailable(): boolean
}

export function createGatewayMetrics(registry: MetricsRegistry) {
  const registers = [registry]
  return {
    requests: new Counter({
      name: 'sretl_gateway_requests_total',
      help: 'HTTP requests answered, by route and status code.',
      labelNames: ['route', 'status'],
      registers,
    }),
    events: new Counter({
      name: 'sretl_gateway_events_total',
      help: 'Events of POST /v1/sales by outcome (accepted, rejected) and reason (new, duplicate, or the rejection code).',
      labelNames: ['outcome', 'reason'],
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'sretl_gateway_produce_seconds',
      help: 'Time from handing a request’s events to the Kafka client to their acknowledgement.',
      buckets: [...operationBucketsSeconds],
      registers,
    }),
    throttled: new Counter({
      name: 'sretl_gateway_throttled_total',
      help: 'Requests refused to protect the pipeline, by status (429 rate limit, 503 paused/overloaded/Kafka).',
      labelNames: ['status'],
      registers,
    }),
    batchEvents: new Histogram({
      name: 'sretl_gateway_request_events',
      help: 'Events per POST /v1/sales request.',
      buckets: [1, 2, 5, 10, 50, 100, 250, 500, 1000, 5000],
      registers,
    }),
  }
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>

export function registerGatewayGauges(registry: MetricsRegistry, readings: GatewayReadings): void {
  const gauge = scrapedGauges(registry)
  gauge('sretl_gateway_inflight_requests', 'Requests being handled now.', () => readings.inFlightRequests())
  gauge('sretl_gateway_inflight_events', 'Events handed to Kafka and not yet acknowledged.', () =>
    readings.inFlightEvents(),
  )
  gauge('sretl_gateway_paused', '1 while an operator paused intake, else 0.', () =>
    readings.paused() ? 1 : 0,
  )
  gauge(
    'sretl_gateway_kafka_available',
    '0 while new events are refused after a Kafka timeout or failure, else 1.',
    () => (readings.kafkaAvailable() ? 1 : 0),
  )
}
