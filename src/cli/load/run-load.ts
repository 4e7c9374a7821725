/**
 * One load run against the running stack: the simulator's rate set through the control service
 * (audited like any operator's change) and the HTTP tills paced phase by phase; lag and the
 * processes' CPU and memory sampled every second; at the end the rate restored, the lander given
 * time to catch up, and the event→commit latency read from Prometheus over the run.
 */
import type { ComponentClient } from '../../control/component-client.ts'
import { queryValue } from '../../observability/prometheus-api.ts'
import { SretlError } from '../../platform/errors.ts'
import { requireDetails } from '../../platform/status-details.ts'
import { callControl, expectOk, type ControlAccess } from '../control-client.ts'
import type { Ui } from '../ui.ts'
import { phaseAt, type LoadPhase, type LoadProfile } from './profiles.ts'
import type { LoadMeasurements } from './slo-report.ts'
import type { Tills } from './tills.ts'
import type { UsageSampler } from './usage-sampler.ts'

export interface LoadRunOptions {
  readonly profile: LoadProfile
  readonly durationSec: number
  readonly access: ControlAccess
  readonly components: ComponentClient
  readonly tills: Tills
  readonly usage: UsageSampler
  readonly prometheusUrl: string
  /** How long the lander may take to land what the run produced, after it. */
  readonly drainTimeoutSec: number
  readonly ui: Ui
  readonly sleep?: (ms: number) => Promise<void>
}

interface Counters {
  readonly produced: number
  readonly rows: number
  readonly deadLetters: number
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function setRate(access: ControlAccess, ui: Ui, ratePerSec: number): Promise<void> {
  const answer = await callControl(access, 'POST', '/api/v1/rate', { ratePerSec, confirm: true })
  if (answer === undefined) {
    throw new SretlError(
      'COMPONENT_UNREACHABLE',
      `sretl load sets the simulator's rate through the control service, which does not answer at ${access.urls.control}; start the stack with \`npm start\``,
    )
  }
  expectOk(answer, ui)
}

async function counters(
  components: ComponentClient,
): Promise<Counters & { lagMessages: number; lagSeconds: number }> {
  const [simulator, lander] = await Promise.all([components.status('simulator'), components.status('lander')])
  const sim = requireDetails('simulator', simulator)
  const land = requireDetails('lander', lander)
  return {
    produced: sim.eventsProduced,
    rows: land.totals.rows,
    deadLetters: land.totals.deadLetters,
    lagMessages: land.partitions.reduce((sum, p) => sum + (p.lagMessages ?? 0), 0),
    lagSeconds: Math.max(0, ...land.partitions.map((p) => p.lagSeconds ?? 0)),
  }
}

async function latencyOver(prometheusUrl: string, windowSec: number): Promise<LoadMeasurements['latency']> {
  const range = `[${Math.max(10, Math.ceil(windowSec))}s]`
  const buckets = `sum by (le) (increase(sretl_lander_event_to_commit_seconds_bucket${range}))`
  const [p50, p95, p99, within, events] = await Promise.all([
    queryValue(prometheusUrl, `histogram_quantile(0.5, ${buckets})`),
    queryValue(prometheusUrl, `histogram_quantile(0.95, ${buckets})`),
    queryValue(prometheusUrl, `histogram_quantile(0.99, ${buckets})`),
    queryValue(
      prometheusUrl,
      `sum(increase(sretl_lander_event_to_commit_seconds_bucket{le="5"}${range})) / sum(increase(sretl_lander_event_to_commit_seconds_count${range}))`,
    ),
    queryValue(prometheusUrl, `sum(increase(sretl_lander_event_to_commit_seconds_count${range}))`),
  ])
  if ([p50, p95, p99, within, events].some((v) => v === undefined || Number.isNaN(v))) return undefined
  return {
    p50: p50 ?? NaN,
    p95: p95 ?? NaN,
    p99: p99 ?? NaN,
    withinFiveSeconds: within ?? NaN,
    events: events ?? 0,
  }
}

const READY_TIMEOUT_MS = 60_000

/** The simulator's details once it and the lander answer RUNNING (a stack that just printed Ready may not yet). */
async function waitForPipeline(
  components: ComponentClient,
  sleep: (ms: number) => Promise<void>,
  progress: (line: string) => void,
) {
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    try {
      const [simulator, lander] = await Promise.all([
        components.status('simulator'),
        components.status('lander'),
      ])
      if (simulator.state === 'RUNNING' && lander.state === 'RUNNING')
        return requireDetails('simulator', simulator)
      if (Date.now() > deadline) {
        throw new SretlError(
          'COMPONENT_UNREACHABLE',
          `the pipeline is not running: simulator ${simulator.state}, lander ${lander.state} (\`sretl status\` says why)`,
        )
      }
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    progress('waiting for the simulator and the lander to run…')
    await sleep(1000)
  }
}

export async function runLoad(options: LoadRunOptions): Promise<LoadMeasurements> {
  const { access, components, tills, usage, ui } = options
  const progress = (detail: string) => ui.progress({ step: 'load', state: 'update', detail })
  const sleep = options.sleep ?? defaultSleep
  const simulator = await waitForPipeline(components, sleep, progress)
  const baseRate = simulator.baseRatePerSec
  const phases = options.profile.phases(options.durationSec)
  const start = await counters(components)
  const startedAt = new Date()
  const lag = { maxMessages: 0, maxSeconds: 0 }
  let current: LoadPhase | undefined
  try {
    usage.sample()
    for (
      let elapsed = 0;
      elapsed < options.durationSec;
      elapsed = (Date.now() - startedAt.getTime()) / 1000
    ) {
      const phase = phaseAt(phases, elapsed)
      if (phase !== current) {
        current = phase
        await setRate(access, ui, baseRate * phase.simulatorFactor)
        tills.pace(baseRate * phase.tillsFactor, phase.batch)
        progress(
          `phase "${phase.label}": simulator ${baseRate * phase.simulatorFactor} events/s, tills ${baseRate * phase.tillsFactor} events/s in batches of ${phase.batch}`,
        )
      }
      await sleep(1000)
      usage.sample()
      const now = await counters(components)
      lag.maxMessages = Math.max(lag.maxMessages, now.lagMessages)
      lag.maxSeconds = Math.max(lag.maxSeconds, now.lagSeconds)
      const stats = tills.stats()
      const requests = Object.values(stats.byStatus).reduce((a, b) => a + b, 0)
      progress(
        `${Math.round(elapsed)}/${options.durationSec} s ${phase.label}: ${(now.produced - start.produced).toLocaleString('en-US')} simulated + ${stats.eventsAccepted.toLocaleString('en-US')} via ${requests.toLocaleString('en-US')} till requests, ${(now.rows - start.rows).toLocaleString('en-US')} landed, lag ${now.lagMessages} (${now.lagSeconds.toFixed(1)} s)`,
      )
    }
  } finally {
    await tills.stop()
    await setRate(access, ui, baseRate)
  }
  const durationSec = (Date.now() - startedAt.getTime()) / 1000
  const end: Counters = await counters(components)
  const tillStats = tills.stats()
  const produced = end.produced - start.produced + tillStats.eventsAccepted
  const drainStarted = Date.now()
  let landed = end
  while ((Date.now() - drainStarted) / 1000 < options.drainTimeoutSec) {
    landed = await counters(components)
    if (landed.rows - start.rows + landed.deadLetters - start.deadLetters >= produced) break
    progress(
      `catching up: ${(produced - (landed.rows - start.rows) - (landed.deadLetters - start.deadLetters)).toLocaleString('en-US')} events still to land`,
    )
    await sleep(1000)
  }
  const drained = landed.rows - start.rows + landed.deadLetters - start.deadLetters >= produced
  // the last scrape must be after the last landing for the histogram to hold it
  await sleep(6000)
  const latency = await latencyOver(options.prometheusUrl, (Date.now() - startedAt.getTime()) / 1000)
  return {
    profile: options.profile.name,
    startedAt: startedAt.toISOString(),
    durationSec,
    baseRatePerSec: baseRate,
    events: { simulator: end.produced - start.produced, tills: tillStats.eventsAccepted },
    rowsLanded: landed.rows - start.rows,
    deadLetters: landed.deadLetters - start.deadLetters,
    latency,
    lag,
    tills: { byStatus: tillStats.byStatus, latencyMs: tillStats.latencyMs },
    resources: usage.report(),
    drained,
  }
}
