/** Details that satisfy each component's status contract (src/platform/status-details.ts), for tests. */
export const validDetails: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  simulator: {
    paused: false,
    pauseReason: null,
    targetRatePerSec: 100,
    baseRatePerSec: 100,
    actualRatePerSec: 100,
    capPerSec: 5000,
    eventsProduced: 0,
    kafkaStalled: false,
  },
  gateway: {
    paused: false,
    pauseReason: null,
    kafkaAvailable: true,
    inFlightEvents: 0,
    eventsAccepted: 0,
    eventsRejected: 0,
  },
  lander: {
    paused: false,
    topic: 'sales.events.v1',
    partitions: [],
    totals: { rows: 0, deadLetters: 0 },
    latencyMs: { eventToCommit: { p50: null, p95: null, p99: null } },
  },
  control: {},
}

/** A component's valid details with some fields replaced. */
export function detailsOf(component: string, overrides: Readonly<Record<string, unknown>> = {}) {
  return { ...validDetails[component], ...overrides }
}
