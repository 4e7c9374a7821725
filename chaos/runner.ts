/**
 * Runs one chaos scenario against the real components: a fresh database reached through a fault
 * proxy, `sretl run lander` (and `sretl run gateway`) as child processes on the run's Kafka, the
 * steady load of load.ts, the scenario's fault, then the checks of checks.ts. Measures the time
 * from each fault to the first row landed after it, and the largest lag the lander reported.
 */
import { findFreePort } from '../src/stack/ports.ts'
import type { KafkaConfig } from '../src/platform/base-config.ts'
import type { Pool } from '../src/platform/postgres.ts'
import { startComponent, type RunningComponent } from '../test/support/components.ts'
import { pipelineEnv, waitFor, type TestDatabase } from '../test/support/harness.ts'
import { countRows, startChildLander, waitCaughtUp, type ChildLander } from '../test/support/lander.ts'
import { runChecks, type Checks } from './checks.ts'
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts'
import { sleep, startLoad, type LoadStats, type RunningLoad } from './load.ts'

export interface ScenarioSize {
  readonly events: number
  readonly rate: number
  /** How long an outage, a slow or a read-only database lasts. */
  readonly faultSeconds: number
}

export interface ChaosContext {
  readonly size: ScenarioSize
  readonly kafka: KafkaConfig
  readonly env: Record<string, string>
  /** The database as sretl_reader. */
  readonly pool: Pool
  readonly db: TestDatabase
  readonly proxy: FaultProxy
  readonly load: RunningLoad
  readonly lander: ChildLander
  /** Starts a (further) lander; `extra` adds to its environment (the test hook). */
  startLander(extra?: Record<string, string>): Promise<ChildLander>
  readonly gateway: RunningComponent | undefined
  /** SIGKILLs the gateway and starts it again on the same port once `downMs` passed (kill to healthy counts as a recovery). */
  restartGateway(signal: 'SIGKILL', downMs: number): Promise<void>
  /** Marks a fault now; the time to recover runs from here to the next row landed. */
  fault(): Promise<void>
  /** Waits until the load has sent this share (0–1) of its events. */
  progress(share: number): Promise<void>
  /** Poison (or other not-expected) messages the scenario adds, and how many dead letters they make. */
  expectDeadLetters(n: number): void
  /** A line for the table's notes (and the progress output). */
  note(text: string): void
  /** A progress line only. */
  log(text: string): void
}

export interface Scenario {
  readonly id: string
  readonly title: string
  /** Environment the lander runs with in this scenario. */
  readonly landerEnv?: Record<string, string>
  /** Post a share of the load through a gateway. */
  readonly gateway?: boolean
  run(ctx: ChaosContext): Promise<void>
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly events: number
  readonly viaGateway: number
  readonly faults: number
  readonly recoverMs: readonly number[]
  readonly maxLag: number
  readonly expectedDeadLetters: number
  readonly checks: Checks
  readonly notes: readonly string[]
  readonly seconds: number
}

export function passed(r: ScenarioResult): boolean {
  const c = r.checks
  return (
    c.lost === 0 &&
    c.doubled === 0 &&
    c.unexpected === 0 &&
    c.offsetsBehind === 0 &&
    c.deadLetters === r.expectedDeadLetters &&
    c.verifyDifferences === 0 &&
    c.verifyInFlight === 0
  )
}

const BASE_LANDER_ENV = {
  // static membership: a restarted lander takes its partitions back without a long rebalance
  LANDER_GROUP_INSTANCE_ID: 'chaos-lander-1',
  LANDER_SESSION_TIMEOUT_MS: '6000',
  LANDER_BATCH_MAX_WAIT_MS: '50',
  LANDER_MAINTENANCE_INTERVAL_MS: '0',
  LANDER_IDLE_IN_TRANSACTION_TIMEOUT_MS: '8000',
  GATEWAY_ALLOW_DEV_KEY: 'true',
  GATEWAY_RETRY_AFTER_SEC: '1',
}

export async function runScenario(
  scenario: Scenario,
  db: TestDatabase,
  size: ScenarioSize,
  onProgress: (line: string) => void = () => undefined,
): Promise<ScenarioResult> {
  const started = Date.now()
  const admin = new URL(db.url)
  const proxy = await startFaultProxy(admin.hostname, Number(admin.port || 5432))
  const viaProxy = new URL(db.url)
  viaProxy.hostname = '127.0.0.1'
  viaProxy.port = String(proxy.port)
  const { env, kafka, pool } = await pipelineEnv(
    db,
    { ...BASE_LANDER_ENV, ...scenario.landerEnv },
    { databaseUrl: viaProxy.toString() },
  )
  const group = env.LANDER_GROUP_ID ?? ''
  const landers: ChildLander[] = []
  let current = await startChildLander(env)
  landers.push(current)
  let gateway: RunningComponent | undefined
  const gatewayPort = await findFreePort()
  if (scenario.gateway) gateway = await startComponent('gateway', env, gatewayPort)
  let finished = false
  const load = startLoad({
    kafka,
    events: size.events,
    finished: () => finished,
    rate: size.rate,
    seed: `chaos-${scenario.id}-${Date.now()}`,
    // while the gateway is down its share waits and is sent again, as a till would
    gatewayUrl: () => (scenario.gateway ? `http://127.0.0.1:${gatewayPort}` : undefined),
    gatewayEvery: 4,
  })
  let maxLag = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const status = await current.status().catch(() => undefined)
      const lag = status?.details.partitions.reduce((sum, p) => sum + (p.lagMessages ?? 0), 0) ?? 0
      if (lag > maxLag) maxLag = lag
      await sleep(250)
    }
  })()
  const recoveries: Promise<number>[] = []
  const notes: string[] = []
  let expectedDeadLetters = 0
  const ctx: ChaosContext = {
    size,
    kafka,
    env,
    pool,
    db,
    proxy,
    load,
    get lander() {
      return current
    },
    async startLander(extra = {}) {
      current = await startChildLander({ ...env, ...extra })
      landers.push(current)
      return current
    },
    get gateway() {
      return gateway
    },
    async restartGateway(signal, downMs) {
      const at = Date.now()
      gateway?.cli.child.kill(signal)
      await gateway?.cli.exited
      await sleep(downMs)
      gateway = await startComponent('gateway', env, gatewayPort)
      recoveries.push(Promise.resolve(Date.now() - at))
    },
    async fault() {
      const at = Date.now()
      const before = await countRows(pool)
      recoveries.push(
        waitFor(async () => (await countRows(pool)) > before, {
          timeoutMs: 300_000,
          intervalMs: 100,
          message: `${scenario.id}: nothing landed after the fault`,
        }).then(() => Date.now() - at),
      )
    },
    async progress(share) {
      const target = Math.floor(size.events * share)
      await waitFor(() => load.acknowledged >= target, {
        timeoutMs: 600_000,
        intervalMs: 50,
        message: `${scenario.id}: the load did not reach ${target} events`,
      })
    },
    expectDeadLetters(n) {
      expectedDeadLetters += n
    },
    note(text) {
      notes.push(text)
      onProgress(`  ${scenario.id}: ${text}`)
    },
    log(text) {
      onProgress(`  ${scenario.id}: ${text}`)
    },
  }
  let stats: LoadStats
  let recoverMs: number[]
  let checks: Checks
  try {
    onProgress(`${scenario.id} ${scenario.title}: ${size.events} events at ${size.rate}/s`)
    try {
      await scenario.run(ctx)
    } finally {
      finished = true
    }
    stats = await load.done
    recoverMs = await Promise.all(recoveries)
    await waitCaughtUp(kafka, pool, group, 300_000)
    sampling = false
    await sampler
    checks = await runChecks(kafka, pool, group, stats.expected)
  } finally {
    sampling = false
    await sampler
    await gateway?.stop()
    await Promise.all(landers.map((l) => l.stop()))
    await proxy.close()
  }
  const refusals = [...stats.gatewayRefusals].map(([code, n]) => `${n}× ${code === 0 ? 'no answer' : code}`)
  if (refusals.length > 0) notes.push(`gateway refused then retried: ${refusals.join(', ')}`)
  return {
    id: scenario.id,
    title: scenario.title,
    events: stats.expected.size,
    viaGateway: stats.viaGateway,
    faults: recoverMs.length,
    recoverMs,
    maxLag,
    expectedDeadLetters,
    checks,
    notes,
    seconds: (Date.now() - started) / 1000,
  }
}
