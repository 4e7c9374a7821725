// Kafka as its clients see it. The local broker exports no Prometheus metrics, so this dashboard
// is built from the producers' and the consumer's own metrics; the text panel says what it cannot
// show.
import { buildDashboard, datasourceVariable, labelVariable, PROM } from './grafana.ts'

const r = (metric: string) => `rate(${metric}[$__rate_interval])`
const zero = ' or on() vector(0)'
const quantiles = (metric: string, label: string) =>
  [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (${r(`${metric}_bucket`)}))`,
    legend: `${label} P${q * 100}`,
  }))

const NOT_COVERED = `**What this dashboard shows and does not show.** The local broker (and a Kafka you point sretl at)
exports no Prometheus metrics here, so everything below is measured by sretl's own clients:
producing (simulator, gateway), consuming (lander lag in messages and seconds, per partition) and
the dead-letter topic.

**Not covered:** broker-side health — under-replicated or offline partitions, ISR shrinks, request
latency inside the broker, disk usage and log retention, controller and KRaft quorum state,
network and request-handler saturation. For those, run a JMX exporter on the broker (Compose and
Kubernetes/Strimzi have one) and add its dashboards.`

export const kafkaDashboard = buildDashboard({
  uid: 'sretl-kafka',
  title: 'sretl / Kafka (client view)',
  description: 'Kafka as sretl’s producers and consumer see it: produce rate and latency, errors, lag.',
  tags: ['sretl'],
  source: PROM,
  variables: [
    datasourceVariable('datasource'),
    labelVariable('partition', 'Partition', 'sretl_lander_lag_messages'),
  ],
  rows: [
    {
      title: 'Scope',
      panels: [
        {
          title: 'What is and is not covered',
          type: 'text',
          width: 24,
          height: 5,
          description: 'Why there are no broker-side panels, and where to get them.',
          content: NOT_COVERED,
        },
      ],
    },
    {
      title: 'Producing to sales.events.v1',
      panels: [
        {
          title: 'Records produced per second',
          unit: 'ops',
          stack: true,
          description:
            'Records acknowledged by Kafka per second, by producer: the simulator and the gateway (accepted events). This is the topic’s write rate as far as sretl is concerned.',
          queries: [
            { expr: `sum(${r('sretl_simulator_events_total')})${zero}`, legend: 'simulator' },
            { expr: `sum(${r('sretl_gateway_events_total{outcome="accepted"}')})${zero}`, legend: 'gateway' },
          ],
        },
        {
          title: 'Produce latency (acks=all)',
          unit: 's',
          description:
            'Time from send to acknowledgement by the broker, per producer. A rising P99 is the first sign of a slow broker (disk, GC); the gateway answers 503 when it gets too slow.',
          queries: [
            ...quantiles('sretl_simulator_produce_seconds', 'simulator'),
            ...quantiles('sretl_gateway_produce_seconds', 'gateway'),
          ],
        },
        {
          title: 'Producer errors and shed load',
          unit: 'ops',
          description:
            'Simulator send errors by code (KAFKA_UNAVAILABLE, KAFKA_SEND_TIMEOUT) and gateway 503 answers (load shed because Kafka is slow or down). Non-zero means producers cannot reach or keep up with the broker.',
          queries: [
            {
              expr: `sum by (code) (${r('sretl_simulator_errors_total')})${zero}`,
              legend: 'simulator {{code}}',
            },
            {
              expr: `sum(${r('sretl_gateway_throttled_total{status="503"}')})${zero}`,
              legend: 'gateway 503',
            },
          ],
        },
        {
          title: 'Gateway requests waiting for Kafka',
          unit: 'short',
          description:
            'Ingest requests in flight in the gateway, most of them waiting for Kafka’s acknowledgement. It is bounded; reaching the bound turns into 503 answers.',
          queries: [{ expr: `sum(sretl_gateway_inflight_requests)${zero}`, legend: 'in flight' }],
        },
      ],
    },
    {
      title: 'Consuming (lander group)',
      panels: [
        {
          title: 'Consumer lag in messages',
          unit: 'short',
          stack: true,
          description:
            'Per partition: the partition’s end offset minus the next offset the lander will land (offsets stored with the rows in PostgreSQL). Stacked, the total backlog.',
          queries: [
            {
              expr: 'max by (partition) (sretl_lander_lag_messages{partition=~"$partition"})',
              legend: 'p{{partition}}',
            },
          ],
        },
        {
          title: 'Consumer lag in seconds',
          unit: 's',
          redAbove: 60,
          description:
            'Per partition: age of the oldest event not yet landed. Comparable across partitions whatever their traffic; the red line is the 60 s lag SLO.',
          queries: [
            {
              expr: 'max by (partition) (sretl_lander_lag_seconds{partition=~"$partition"})',
              legend: 'p{{partition}}',
            },
          ],
        },
        {
          title: 'Records consumed per second',
          unit: 'ops',
          stack: true,
          description:
            'What the lander finished with per second: landed as new, skipped as duplicates (same event_id), sent to the dead-letter topic. Compare with the produce rate above.',
          queries: [
            { expr: `sum(${r('sretl_lander_rows_total')})${zero}`, legend: 'landed' },
            { expr: `sum(${r('sretl_lander_duplicates_total')})${zero}`, legend: 'duplicates' },
            { expr: `sum(${r('sretl_lander_dlq_total')})${zero}`, legend: 'dead-lettered' },
          ],
        },
        {
          title: 'Time spent in Kafka and landing',
          unit: 's',
          description:
            'Produce time → PostgreSQL commit, P50/P95/P99: how long a record waits in the topic plus how long landing takes. Grows with lag.',
          queries: quantiles('sretl_lander_produce_to_commit_seconds', 'produce→commit'),
        },
      ],
    },
  ],
})
