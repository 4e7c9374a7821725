// Pipeline overview: is data flowing, how far behind, how fast, what fails, how the SLOs burn.
// Queries that count things a healthy pipeline may never have seen (dead letters, 5xx) end in
// `or on() vector(0)` so they show 0 instead of "no data".
import { buildDashboard, datasourceVariable, labelVariable, PROM } from './grafana.ts'

const r = (metric: string) => `rate(${metric}[$__rate_interval])`
const zero = ' or on() vector(0)'
const quantile = (q: number, metric: string, by = '') =>
  `histogram_quantile(${q}, sum by (le${by}) (${r(`${metric}_bucket`)}))`

export const pipelineDashboard = buildDashboard({
  uid: 'sretl-pipeline',
  title: 'sretl / Pipeline overview',
  description: 'Intake, landed rows, lag, end-to-end latency, errors and SLO burn of the sretl pipeline.',
  tags: ['sretl'],
  source: PROM,
  variables: [
    datasourceVariable('datasource'),
    labelVariable('partition', 'Partition', 'sretl_lander_lag_messages'),
  ],
  rows: [
    {
      title: 'Flow',
      panels: [
        {
          title: 'Intake',
          type: 'stat',
          unit: 'ops',
          width: 6,
          description:
            'Events entering Kafka per second (simulator produced + gateway accepted), over the last minute. Zero while sources are meant to send means intake stopped (alert SretlIntakeStopped).',
          queries: [{ expr: 'sretl:intake_events:rate1m', legend: 'events/s' }],
        },
        {
          title: 'Rows landed',
          type: 'stat',
          unit: 'ops',
          width: 6,
          description:
            'New rows committed to sales_raw per second. It should track intake; if it stays at zero while intake flows, the lander is stalled (SretlLandingStalled).',
          queries: [{ expr: `sum(rate(sretl_lander_rows_total[1m]))${zero}`, legend: 'rows/s' }],
        },
        {
          title: 'Lag (worst partition)',
          type: 'stat',
          unit: 's',
          width: 6,
          redAbove: 60,
          description:
            'Age of the oldest event not yet landed, on the worst partition. Over 60 s breaks the lag SLO (SretlLagHigh); it turns red.',
          queries: [{ expr: 'max(sretl_lander_lag_seconds)', legend: 'lag' }],
        },
        {
          title: 'Backlog',
          type: 'stat',
          unit: 'short',
          width: 6,
          description:
            'Messages in Kafka the lander has not landed yet, all partitions together. A backlog that keeps growing means the lander cannot keep up.',
          queries: [{ expr: 'sum(sretl_lander_lag_messages)', legend: 'messages' }],
        },
        {
          title: 'Events in and rows out',
          unit: 'ops',
          description:
            'Per second: events the simulator produced and the gateway accepted, against rows the lander landed as new and duplicates it skipped. In a healthy pipeline landed + duplicates follows intake closely; a widening gap is lag building up.',
          queries: [
            { expr: `sum(${r('sretl_simulator_events_total')})${zero}`, legend: 'simulator produced' },
            {
              expr: `sum(${r('sretl_gateway_events_total{outcome="accepted"}')})${zero}`,
              legend: 'gateway accepted',
            },
            { expr: `sum(${r('sretl_lander_rows_total')})${zero}`, legend: 'rows landed' },
            { expr: `sum(${r('sretl_lander_duplicates_total')})${zero}`, legend: 'duplicates skipped' },
          ],
        },
        {
          title: 'Simulator: target and actual rate',
          unit: 'ops',
          description:
            'The simulator’s configured rate and what it achieves. Actual well below target means it cannot produce fast enough (Kafka slow or down); a flat zero with paused = 1 is an operator pause.',
          queries: [
            { expr: 'sum(sretl_simulator_target_rate_per_second)', legend: 'target' },
            { expr: 'sum(sretl_simulator_actual_rate_per_second)', legend: 'actual' },
          ],
        },
      ],
    },
    {
      title: 'Lag',
      panels: [
        {
          title: 'Lag in messages by partition',
          unit: 'short',
          description:
            'Per partition of sales.events.v1: end offset minus the next offset the lander will land. One partition lagging alone points at a hot store key or a stuck batch on it.',
          queries: [
            {
              expr: 'max by (partition) (sretl_lander_lag_messages{partition=~"$partition"})',
              legend: 'p{{partition}}',
            },
          ],
        },
        {
          title: 'Lag in seconds by partition',
          unit: 's',
          redAbove: 60,
          description:
            'Per partition: how old the oldest not-yet-landed event is (see docs/metrics.md, "Lag"). The red line is the 60 s lag SLO; a line rising steadily past it is SretlLagGrowing.',
          queries: [
            {
              expr: 'max by (partition) (sretl_lander_lag_seconds{partition=~"$partition"})',
              legend: 'p{{partition}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'End to end: till clock to row committed',
          unit: 's',
          description:
            'Percentiles of event_time → PostgreSQL commit. Targets: P95 ≤ 500 ms, P99 ≤ 1 s at 1,000 events/s; the freshness SLO counts events over 5 s. Late events from tills (offline registers) raise the tail here but not in the panel beside.',
          queries: [0.5, 0.95, 0.99].map((q) => ({
            expr: quantile(q, 'sretl_lander_event_to_commit_seconds'),
            legend: `P${q * 100}`,
          })),
        },
        {
          title: 'Pipeline only: produced to row committed',
          unit: 's',
          description:
            'Percentiles of Kafka produce time → commit: the pipeline’s own delay, without the till’s. If this is low while end-to-end is high, events arrive late from the source.',
          queries: [0.5, 0.95, 0.99].map((q) => ({
            expr: quantile(q, 'sretl_lander_produce_to_commit_seconds'),
            legend: `P${q * 100}`,
          })),
        },
        {
          title: 'Lander transactions',
          unit: 's',
          description:
            'P50 and P95 of one lander transaction (COPY, insert, offsets, commit). Rising transaction time with steady batch sizes means PostgreSQL got slower (I/O, locks, autovacuum).',
          queries: [
            { expr: quantile(0.5, 'sretl_lander_transaction_seconds'), legend: 'P50' },
            { expr: quantile(0.95, 'sretl_lander_transaction_seconds'), legend: 'P95' },
          ],
        },
        {
          title: 'Lander batch size',
          unit: 'short',
          description:
            'Average rows per landed batch. Small batches under load mean the time limit closes them early; batches at the configured maximum mean the lander is saturated.',
          queries: [
            {
              expr: `sum(${r('sretl_lander_batch_size_rows_sum')}) / sum(${r('sretl_lander_batch_size_rows_count')})`,
              legend: 'rows per batch',
            },
          ],
        },
      ],
    },
    {
      title: 'Errors',
      panels: [
        {
          title: 'Dead letters by code',
          unit: 'ops',
          width: 8,
          description:
            'Records per second the lander sends to sales.events.dlq.v1, by error code (docs/errors.md). Any steady rate deserves a look; over 1 % of the flow alerts (SretlDeadLettersHigh).',
          queries: [{ expr: `sum by (code) (${r('sretl_lander_dlq_total')})${zero}`, legend: '{{code}}' }],
        },
        {
          title: 'Retries and producer errors',
          unit: 'ops',
          width: 8,
          description:
            'Lander retries by reason (connection lost, serialization failure, deadlock) and simulator errors by code. Retries are normal in bursts; a steady rate means a dependency is unwell.',
          queries: [
            {
              expr: `sum by (reason) (${r('sretl_lander_retries_total')})${zero}`,
              legend: 'lander retry {{reason}}',
            },
            {
              expr: `sum by (code) (${r('sretl_simulator_errors_total')})${zero}`,
              legend: 'simulator {{code}}',
            },
          ],
        },
        {
          title: 'Gateway answers to POST /v1/sales',
          unit: 'reqps',
          width: 8,
          stack: true,
          description:
            'Ingest requests per second by HTTP status. 202 is success; 429 means a key exceeded its rate, 503 means Kafka is slow (backpressure, SretlGatewayBackpressure), 5xx burns the availability budget.',
          queries: [
            {
              expr: `sum by (status) (${r('sretl_gateway_requests_total{route=~".*/v1/sales"}')})${zero}`,
              legend: '{{status}}',
            },
          ],
        },
        {
          title: 'Events the gateway rejected',
          unit: 'ops',
          width: 12,
          description:
            'Invalid events refused at the door (4xx with the field and reason), by reason. A new sender or a contract change shows up here first.',
          queries: [
            {
              expr: `sum by (reason) (${r('sretl_gateway_events_total{outcome="rejected"}')})${zero}`,
              legend: '{{reason}}',
            },
          ],
        },
        {
          title: 'Rate changes refused by the simulator',
          unit: 'ops',
          width: 12,
          description:
            'Requests to set the simulator’s rate above its safety cap, refused or clamped, by reason. Someone is asking for more than the admin allows.',
          queries: [
            {
              expr: `sum by (reason) (${r('sretl_simulator_rate_refused_total')})${zero}`,
              legend: '{{reason}}',
            },
          ],
        },
      ],
    },
    {
      title: 'SLOs',
      panels: [
        {
          title: 'Ingest availability: budget burn rate',
          unit: 'short',
          redAbove: 14.4,
          description:
            'How fast POST /v1/sales 5xx answers burn the 99.9 % budget (1 = exactly the budget over 30 days). Pages at 14.4 over 1 h (with 5 m) or 6 over 6 h; tickets at 3 over 1 d or 1 over 3 d (ADR 0021).',
          queries: ['5m', '1h', '6h', '1d', '3d'].map((w) => ({
            expr: `sretl:slo_ingest_availability:burn_rate${w}${zero}`,
            legend: w,
          })),
        },
        {
          title: 'Freshness: budget burn rate',
          unit: 'short',
          redAbove: 14.4,
          description:
            'How fast events landing over 5 s after their event time burn the 99 % freshness budget; same windows and thresholds as availability. Below 1 the budget is safe.',
          queries: ['5m', '1h', '6h', '1d', '3d'].map((w) => ({
            expr: `sretl:slo_freshness:burn_rate${w}${zero}`,
            legend: w,
          })),
        },
        {
          title: 'Ingest availability (1 d)',
          type: 'stat',
          unit: 'percentunit',
          width: 12,
          description:
            'Share of POST /v1/sales requests answered without a 5xx over the last day; the objective is 99.9 %. Shows 100 % when no requests arrived.',
          queries: [
            {
              expr: `(1 - sretl:slo_ingest_availability:burn_rate1d * 0.001) or on() vector(1)`,
              legend: 'availability',
            },
          ],
        },
        {
          title: 'Freshness (1 d)',
          type: 'stat',
          unit: 'percentunit',
          width: 12,
          description:
            'Share of landed events committed within 5 s of their event time over the last day; the objective is 99 %. Shows 100 % when nothing landed.',
          queries: [
            { expr: `(1 - sretl:slo_freshness:burn_rate1d * 0.01) or on() vector(1)`, legend: 'freshness' },
          ],
        },
      ],
    },
    {
      title: 'Processes',
      panels: [
        {
          title: 'Targets up',
          type: 'bargauge',
          unit: 'short',
          width: 8,
          min: 0,
          description:
            'Scrape targets answering, by job (sretl-<component>, postgres, alertmanager, prometheus). A bar at 0 is a component or exporter down (SretlComponentDown, SretlTargetDown).',
          queries: [{ expr: 'sum by (job) (up)', legend: '{{job}}' }],
        },
        {
          title: 'Paused',
          type: 'bargauge',
          unit: 'bool',
          width: 8,
          min: 0,
          max: 1,
          description:
            'Components an operator paused (1). A paused lander makes lag grow on purpose; a paused simulator or gateway stops intake on purpose (the intake alerts stay silent).',
          queries: [
            {
              expr: `max by (component) (sretl_simulator_paused or sretl_gateway_paused or sretl_lander_paused)${zero}`,
              legend: '{{component}}',
            },
          ],
        },
        {
          title: 'Memory (RSS) by job',
          unit: 'bytes',
          width: 8,
          stack: true,
          description:
            'Resident memory of every scraped process: components, exporter, Alertmanager, Prometheus (Kafka’s JVM is not scraped). The whole local stack should stay under 2 GB at 1,000 events/s.',
          queries: [{ expr: 'sum by (job) (process_resident_memory_bytes)', legend: '{{job}}' }],
        },
      ],
    },
  ],
})
