/**
 * A whole `sretl up` for tests that drive the stack from outside (the demo, the labs): the run's
 * Kafka, components on free ports, no monitoring, quick restarts, a modest simulator rate.
 */
import { findFreePort } from '../../src/stack/ports.ts'
import { monitoringPorts, runCli, startCli, testEnv, waitFor, type BackgroundCli } from './harness.ts'

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
    // "Ready" means started; a loaded machine may take a moment more until every one answers
    for (const name of ['GATEWAY_PORT', 'SIMULATOR_PORT', 'LANDER_PORT', 'CONTROL_PORT']) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${env[name]}/readyz`)).status === 200, {
        timeoutMs: 60_000,
        message: `${name} answering /readyz`,
      })
    }
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
