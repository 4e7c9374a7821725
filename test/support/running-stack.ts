/**
 * A whole `sretl up` for tests that drive the stack from outside (the demo, the labs): the run's
 * Kafka, components on free ports, no monitoring, quick restarts, a modest simulator rate.
 */
import { findFreePort } from '../../src/stack/ports.ts'
import { monitoringPorts, runCli, startCli, testEnv, type BackgroundCli } from './harness.ts'

export interface RunningStack {
  readonly env: Record<string, string>
  readonly up: BackgroundCli
  stop(): Promise<void>
}

export async function startRunningStack(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Promise<RunningStack> {
  const env = testEnv({ databaseUrl, extra: await monitoringPorts() })
  for (const name of ['GATEWAY_PORT', 'SIMULATOR_PORT', 'LANDER_PORT', 'CONTROL_PORT']) {
    env[name] = String(await findFreePort())
  }
  env.RATE_PER_SEC = '10'
  env.STACK_RESTART_BACKOFF_MS = '200'
  Object.assign(env, extra)
  const up = startCli(['up', '--no-monitoring'], env)
  try {
    await up.waitForLine(/^Ready in /, 180_000)
  } catch (err) {
    up.child.kill('SIGTERM')
    throw err
  }
  return {
    env,
    up,
    async stop() {
      await runCli(['down'], env)
      await up.exited
    },
  }
}
