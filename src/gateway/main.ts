/** `sretl run gateway`: wiring only (see gateway.ts and ingest.ts for the logic). */
import { runComponent, type ComponentContext, type StartedComponent } from '../platform/component-runner.ts'
import type { Env } from '../platform/config.ts'
import { senderWithProducer } from '../platform/kafka-sender.ts'
import { kafkaReadiness } from '../platform/kafka-probe.ts'
import { topicNames } from '../platform/topics.ts'
import { DEV_KEY, Keyring } from './api-keys.ts'
import { gatewaySection, type GatewayConfig } from './config.ts'
import { Gateway } from './gateway.ts'
import { Ingest } from './ingest.ts'
import { createGatewayMetrics, registerGatewayGauges } from './metrics.ts'
import { buildGatewayServer } from './server.ts'

export const main = (env: Env): Promise<number> =>
  runComponent(env, {
    name: 'gateway',
    section: gatewaySection,
    liveDefaults: (config) => ({
      host: config.component.host,
      defaults: [
        config.component.devKeyAllowed
          ? {
              variable: 'GATEWAY_API_KEYS',
              what: `the development API key "${DEV_KEY}" (GATEWAY_ALLOW_DEV_KEY)`,
            }
          : undefined,
      ],
    }),
    start,
  })

function start(context: ComponentContext<GatewayConfig>): Promise<StartedComponent> {
  const { config, logger, lifecycle } = context
  const settings = config.component
  const topic = topicNames(config.kafka).salesEvents
  const metrics = createGatewayMetrics(context.metrics)
  // a call to a killed leader can stay unsettled for minutes: after twice the send timeout the
  // producer is replaced, so the sends behind it are not held up (docs/reliability.md, C3)
  const { sender, close: closeProducer } = senderWithProducer(
    config.kafka,
    'gateway',
    {
      maxBatchMessages: settings.maxBatchEvents,
      maxQueuedMessages: settings.maxInFlightEvents,
      stuckAfterMs: 2 * config.kafka.sendTimeoutMs,
    },
    logger,
  )
  lifecycle.add('kafka producer', closeProducer)
  const ingest = new Ingest({
    topic,
    send: (messages) => sender.send(messages),
    maxInFlight: settings.maxInFlightEvents,
    dedupeCacheSize: settings.dedupeCacheSize,
    retryAfterMs: settings.retryAfterSec * 1000,
    clock: Date.now,
    logger,
    onProduced: (seconds) => metrics.produceSeconds.observe(seconds),
  })
  const gateway = new Gateway({
    keyring: new Keyring({
      entries: settings.keys,
      defaultRatePerSec: settings.keyRatePerSec,
      burst: settings.keyBurst,
      clock: Date.now,
    }),
    ingest,
    settings: { ...settings, sendTimeoutMs: config.kafka.sendTimeoutMs },
    metrics,
    logger,
    clock: Date.now,
  })
  registerGatewayGauges(context.metrics, {
    inFlightRequests: () => gateway.inFlightRequests,
    inFlightEvents: () => ingest.inFlightEvents,
    paused: () => gateway.paused,
    kafkaAvailable: () => ingest.kafkaAvailable,
  })
  gateway.tracker.set('RUNNING')
  logger.info({ keys: settings.keys.length, topic }, 'gateway accepting events')
  return Promise.resolve({
    server: buildGatewayServer({
      gateway,
      logger,
      registry: context.metrics,
      metrics,
      maxBodyBytes: settings.maxBodyBytes,
      requestTimeoutMs: settings.requestTimeoutMs,
      readiness: kafkaReadiness(config.kafka, topic),
      clock: Date.now,
      guards: context.http,
    }),
    port: settings.port,
    host: settings.host,
  })
}
