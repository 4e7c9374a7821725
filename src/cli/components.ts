/**
 * The components `sretl run <name>` can start, each loaded only when asked for. Every entry's
 * module exports `main(env)`, which wires the component, runs it until SIGTERM/SIGINT and
 * resolves with the exit code.
 */
import type { Env } from '../platform/config.ts'

export interface ComponentEntry {
  readonly summary: string
  readonly load: () => Promise<{ main(env: Env): Promise<number> }>
}

export const components: Readonly<Record<string, ComponentEntry>> = {
  lander: {
    summary: 'Kafka sales.events.v1 → PostgreSQL sales_raw, exactly once, with dead letters',
    load: () => import('../lander/main.ts'),
  },
}
