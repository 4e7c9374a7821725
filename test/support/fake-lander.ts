/**
 * A stand-in for the lander (issue 4) that speaks only the surface agreed with it: the metric
 * names the rules and dashboards use, and /status with `details.partitions[]` (lagMessages,
 * lagSeconds). It lands nothing. Tests use it, before the lander exists, to prove that the stack's
 * Prometheus scrapes whatever stackComponents lists, that the lag rules evaluate on a real
 * exposition, and that `sretl status` shows lag. Once the lander merges, the end-to-end tests
 * run the real one instead.
 *
 *   FAKE_LANDER_PORT=… FAKE_LAG_SECONDS=120 node test/support/fake-lander.ts
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import { buildComponentServer, StateTracker } from '../../src/platform/component-server.ts'
import { silentLogger } from '../../src/platform/logger.ts'
import { createMetricsRegistry, latencyBucketsSeconds } from '../../src/platform/metrics.ts'

const port = Number(process.env.FAKE_LANDER_PORT)
const lagSeconds = Number(process.env.FAKE_LAG_SECONDS ?? '0')
const partitions = [0, 1, 2]

const metrics = createMetricsRegistry({ component: 'lander' })
const lagMessages = new Gauge({
  name: 'sretl_lander_lag_messages',
  help: 'lag',
  labelNames: ['partition'],
  registers: [metrics],
})
const lagAge = new Gauge({
  name: 'sretl_lander_lag_seconds',
  help: 'lag',
  labelNames: ['partition'],
  registers: [metrics],
})
const rows = new Counter({ name: 'sretl_lander_rows_total', help: 'rows', registers: [metrics] })
const paused = new Gauge({ name: 'sretl_lander_paused', help: 'paused', registers: [metrics] })
const endToEnd = new Histogram({
  name: 'sretl_lander_event_to_commit_seconds',
  help: 'latency',
  buckets: [...latencyBucketsSeconds],
  registers: [metrics],
})
paused.set(0)
for (const p of partitions) {
  lagMessages.set({ partition: String(p) }, 100 * (p + 1))
  lagAge.set({ partition: String(p) }, p === 0 ? lagSeconds : 1)
}
const tick = setInterval(() => {
  rows.inc(10)
  endToEnd.observe(0.2)
}, 200)

const state = new StateTracker()
state.set('RUNNING')
const server = buildComponentServer({
  component: 'lander',
  logger: silentLogger(),
  metrics,
  status: () => ({
    ...state.snapshot(),
    details: {
      partitions: partitions.map((p) => ({
        topic: 'sales.events.v1',
        partition: p,
        state: 'RUNNING',
        lagMessages: 100 * (p + 1),
        lagSeconds: p === 0 ? lagSeconds : 1,
      })),
    },
  }),
  // a stand-in for dashboards: it takes no commands
  adminToken: { verify: () => false },
})
await server.listen({ port, host: '127.0.0.1' })
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    clearInterval(tick)
    void server.close().then(() => process.exit(0))
  })
}
