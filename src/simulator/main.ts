/** `sretl run simulator`: wiring only (see simulator.ts for the engine). */
import { Random } from '../domain/random.ts'
import { referenceProducts, referenceStores } from '../domain/reference-data.ts'
import { runComponent, type ComponentContext, type StartedComponent } from '../platform/component-runner.ts'
import type { Env } from '../platform/config.ts'
import { senderWithProducer } from '../platform/kafka-sender.ts'
import { kafkaReadiness } from '../platform/kafka-probe.ts'
import { sleep } from '../platform/lifecycle.ts'
import { topicNames } from '../platform/topics.ts'
import { simulatorSection, type SimulatorConfig } from './config.ts'
import { EventSource } from './event-source.ts'
import { createSimulatorMetrics, registerSimulatorGauges } from './metrics.ts'
import { ReceiptGenerator } from './receipts.ts'
import { buildSimulatorServer } from './server.ts'
import { Simulator } from './simulator.ts'
import { liveTimeline, simulatedTimeline } from './timeline.ts'

export const main = (env: Env): Promise<number> =>
  runComponent(env, {
    name: 'simulator',
    section: simulatorSection,
    liveDefaults: (config) => ({
      host: config.component.host,
      defaults: [
        config.component.loyaltyKeyIsDefault
          ? { variable: 'SIMULATOR_LOYALTY_KEY', what: 'the development loyalty HMAC key' }
          : undefined,
      ],
    }),
    start,
  })

function start(context: ComponentContext<SimulatorConfig>): Promise<StartedComponent> {
  const { config, logger, lifecycle } = context
  const settings = config.component
  const topic = topicNames(config.kafka).salesEvents
  // a call to a killed leader can stay unsettled for minutes: after twice the send timeout the
  // producer is replaced, so the sends behind it are not held up (docs/reliability.md, C3)
  const { sender, close: closeProducer } = senderWithProducer(
    config.kafka,
    'simulator',
    {
      maxBatchMessages: settings.maxBatch,
      maxQueuedMessages: settings.maxInFlight,
      stuckAfterMs: 2 * config.kafka.sendTimeoutMs,
    },
    logger,
  )
  lifecycle.add('kafka producer', closeProducer)

  const generator = new ReceiptGenerator({
    seed: settings.seed,
    stores: referenceStores(),
    products: referenceProducts(),
    settings: settings.receipts,
  })
  const root = new Random(settings.seed)
  const timeline =
    settings.clock === 'simulated'
      ? simulatedTimeline({ ...settings.history, weights: generator.weights, random: root.fork('timeline') })
      : liveTimeline(Date.now)
  const metrics = createSimulatorMetrics(context.metrics)
  const source = new EventSource({
    generator,
    timeline,
    faults: settings.faults,
    random: root.fork('faults'),
    onFault: (kind) => metrics.faults.inc({ kind }),
  })
  const simulator = new Simulator({
    source,
    timeline,
    topic,
    send: (messages) => sender.send(messages),
    settings: { ...settings, stallAfterMs: config.kafka.sendTimeoutMs },
    clock: Date.now,
    logger,
    metrics,
    onFinished: () => {
      if (settings.exitWhenDone) void lifecycle.stop('simulator finished')
    },
  })
  registerSimulatorGauges(context.metrics, simulator.readings)
  lifecycle.add('simulator', () => simulator.stop())

  const readiness = kafkaReadiness(config.kafka, topic)
  void startWhenTopicExists()
  return Promise.resolve({
    server: buildSimulatorServer({
      simulator,
      logger,
      metrics: context.metrics,
      readiness,
      guards: context.http,
    }),
    port: settings.port,
    host: settings.host,
  })

  // producing to a topic that does not exist would wait forever: say so and wait for it instead
  async function startWhenTopicExists(): Promise<void> {
    let reported = false
    while (!lifecycle.stopping) {
      const ready = await readiness()
      if (ready.ready) {
        if (!lifecycle.stopping) simulator.start()
        return
      }
      if (!reported) {
        logger.warn({ reasons: ready.reasons }, 'waiting for Kafka and the topic before producing')
        reported = true
      }
      simulator.tracker.recordError(ready.code ?? 'KAFKA_UNAVAILABLE', ready.reasons.join('; '))
      await Promise.race([sleep(2000), lifecycle.stopped])
    }
  }
}
