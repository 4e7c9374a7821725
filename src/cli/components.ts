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
  control: {
    summary: 'control service: web control panel and API (health, pause/resume, rate, dead letters, audit)',
    load: () => import('../control/main.ts'),
  },
  gateway: {
    summary: 'HTTP ingest gateway for tills and webhooks: POST /v1/sales → Kafka',
    load: () => import('../gateway/main.ts'),
  },
  simulator: {
    summary: 'realistic store simulator with live rate control',
    load: () => import('../simulator/main.ts'),
  },
  lander: {
    summary: 'Kafka sales.events.v1 → PostgreSQL sales_raw, exactly once, with dead letters',
    load: () => import('../lander/main.ts'),
  },
}
