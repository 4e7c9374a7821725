/**
 * What the ingest benchmarks send to a gateway: the settings that take its per-key limits out of
 * the measurement, and (from src/cli/load) request bodies of N events and a keep-alive client that posts them.
 */
export { batchBodies, gatewayPoster, type GatewayPoster } from '../src/cli/load/gateway-client.ts'

/** A gateway tuned to be measured, not protected: no per-key pacing, no dedupe memory. */
export const GATEWAY_BENCH_ENV = {
  GATEWAY_ALLOW_DEV_KEY: 'true',
  GATEWAY_KEY_RATE_PER_SEC: '100000000',
  GATEWAY_KEY_BURST: '100000000',
  GATEWAY_MAX_BATCH_EVENTS: '1000',
  // the event pool is reused; the dedupe memory would turn later rounds into no-ops
  GATEWAY_DEDUPE_CACHE_SIZE: '0',
} as const
