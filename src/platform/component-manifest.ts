/**
 * The one place a component is declared: its name, what it does, the port it serves on, whether
 * operators pause it and what that stops, the contract of its `/status` details, and where it
 * starts in the local stack. Everything else derives from here: the port and URL variables
 * (control-targets.ts), the pause targets of the control service and `sretl pause`, the
 * components `sretl run` and `sretl up` start (typed by ComponentName, so a new entry breaks the
 * build until each has it), and the lint rule that components do not import each other (a test
 * compares its list with this one). DEVELOPERS.md "A component" has the steps.
 */
import { portVar } from './config.ts'
import { statusDetailsSchemas } from './status-details.ts'

export interface PauseTarget {
  /** What pausing it stops, in plain words (CLI help, panel help texts). */
  readonly pauses: string
  /** Part of "intake": the emergency stop pauses it. */
  readonly intake: boolean
}

/** In the order of the flow (intake first), which is the order the panel and `sretl` list them. */
export const componentManifest = {
  simulator: {
    summary: 'realistic store simulator with live rate control',
    port: portVar('HTTP port of the simulator’s control API, /status and /metrics.', 8082),
    pause: { pauses: 'event production by the store simulator', intake: true },
    details: statusDetailsSchemas.simulator,
    /** Start order in `sretl up` (lower first). */
    startOrder: 3,
  },
  gateway: {
    summary: 'HTTP ingest gateway for tills and webhooks: POST /v1/sales → Kafka',
    port: portVar('HTTP port of the ingest gateway (POST /v1/sales, /status, /metrics).', 8081),
    pause: { pauses: 'intake: POST /v1/sales answers 503 with Retry-After', intake: true },
    details: statusDetailsSchemas.gateway,
    startOrder: 2,
  },
  lander: {
    summary: 'Kafka sales.events.v1 → PostgreSQL sales_raw, exactly once, with dead letters',
    port: portVar('HTTP port of the lander (status, pause/resume, metrics).', 8083),
    pause: { pauses: 'landing: it stops fetching; events wait in Kafka and lag grows', intake: false },
    details: statusDetailsSchemas.lander,
    // first, so it is consuming when events arrive
    startOrder: 1,
  },
  control: {
    summary: 'control service: web control panel and API (health, pause/resume, rate, dead letters, audit)',
    port: portVar('HTTP port of the control service: the web control panel and its API.', 8080),
    pause: undefined,
    details: statusDetailsSchemas.control,
    startOrder: 4,
  },
} as const

export type ComponentName = keyof typeof componentManifest
export const componentNames = Object.keys(componentManifest) as ComponentName[]

/** The components in the order `sretl up` starts them. */
export const startOrder: readonly ComponentName[] = [...componentNames].sort(
  (a, b) => componentManifest[a].startOrder - componentManifest[b].startOrder,
)

// every component has a status contract, and every contract a component
const _contracts: Record<ComponentName, unknown> = statusDetailsSchemas
const _components: Record<keyof typeof statusDetailsSchemas, unknown> = componentManifest
void _contracts
void _components
