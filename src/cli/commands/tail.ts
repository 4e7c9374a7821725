import { randomBytes } from 'node:crypto'
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka'
import { referenceProducts, referenceStores } from '../../domain/reference-data.ts'
import { CURRENCY_DIGITS } from '../../domain/reference-tables.ts'
import { decodeSaleLine } from '../../domain/sale-line-validator.ts'
import type { SaleLine } from '../../domain/sale-line.ts'
import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { createConsumer } from '../../platform/kafka.ts'
import { probeTopic } from '../../platform/kafka-probe.ts'
import { topicNames } from '../../platform/topics.ts'
import { defineCommand } from '../command.ts'
import { formatCount, type Ui } from '../ui.ts'

export const tailCommand = defineCommand({
  name: 'tail',
  summary: 'Show sale events as they arrive in Kafka (a sample per second, or every one).',
  description:
    'Reads sales.events.v1 from now on (or from the beginning) without joining any pipeline consumer group ' +
    'and without committing offsets, so it never disturbs the pipeline. By default it prints at most ' +
    '--per-second events each second and a count of the rest; Ctrl-C stops it.',
  options: {
    count: { type: 'string', short: 'n', valueName: 'n', description: 'Stop after printing n events.' },
    'per-second': {
      type: 'string',
      valueName: 'n',
      description: 'Print at most n events per second (default 5; 0 prints every event).',
    },
    'from-beginning': { type: 'boolean', description: 'Start at the oldest event in the topic.' },
    json: { type: 'boolean', description: 'Print each event’s JSON as it is in Kafka.' },
  },
  examples: ['sretl tail', 'sretl tail -n 20 --per-second 0', 'sretl tail --json | jq .net_amount_minor'],
  async run({ env, ui, values }) {
    const config = loadConfig(env, baseConfigSection)
    const count = positiveInt(values.count, 'count', Number.POSITIVE_INFINITY)
    const perSecond = positiveInt(values['per-second'], 'per-second', 5)
    const topic = topicNames(config.kafka).salesEvents
    const probe = await probeTopic(config.kafka, topic)
    if (!probe.ready) {
      throw new SretlError(
        probe.code ?? 'KAFKA_UNAVAILABLE',
        `${probe.reasons.join('; ')}${probe.code === 'KAFKA_UNAVAILABLE' ? '; start the stack with `sretl up`' : ''}`,
      )
    }
    const consumer = createConsumer(config.kafka, {
      groupId: `sretl-tail-${randomBytes(6).toString('hex')}`,
      clientSuffix: 'tail',
      maxWaitTimeMs: 200,
    })
    const stream = await consumer.consume({
      topics: [topic],
      mode: values['from-beginning'] === true ? MessagesStreamModes.EARLIEST : MessagesStreamModes.LATEST,
      fallbackMode:
        values['from-beginning'] === true
          ? MessagesStreamFallbackModes.EARLIEST
          : MessagesStreamFallbackModes.LATEST,
    })
    const stop = (): void => void stream.close()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    if (values.json !== true) ui.line(`Tailing ${topic} (Ctrl-C stops)…`)
    let printed = 0
    let second = Math.floor(Date.now() / 1000)
    let shown = 0
    let skipped = 0
    try {
      for await (const message of stream) {
        const now = Math.floor(Date.now() / 1000)
        if (now !== second) {
          if (skipped > 0 && values.json !== true)
            ui.line(`        … and ${formatCount(skipped)} more in that second`)
          second = now
          shown = 0
          skipped = 0
        }
        if (perSecond > 0 && shown >= perSecond) {
          skipped += 1
          continue
        }
        shown += 1
        printed += 1
        printEvent(ui, message.value, message.partition, values.json === true)
        if (printed >= count) break
      }
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      await stream.close().catch(() => undefined)
      await consumer.close(true).catch(() => undefined)
    }
  },
})

function positiveInt(raw: string | boolean | undefined, name: string, fallback: number): number {
  if (raw === undefined || typeof raw === 'boolean') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) throw new SretlError('USAGE', `--${name} must be a whole number ≥ 0`)
  return n
}

const storeNames = new Map(referenceStores().map((s) => [s.store_id, s.name]))
const productNames = new Map(referenceProducts().map((p) => [p.sku, p.name]))

function printEvent(ui: Ui, value: Buffer, partition: number, json: boolean): void {
  if (json) {
    ui.line(value.toString('utf8'))
    return
  }
  const decoded = decodeSaleLine(value)
  if (!decoded.ok) {
    const issue = decoded.issues[0]
    ui.line(`  p${partition} INVALID  ${decoded.code}${issue ? ` ${issue.field} ${issue.reason}` : ''}`)
    return
  }
  ui.line(describe(decoded.event))
}

export function describe(e: SaleLine): string {
  const time = `${e.event_time.slice(11, 23)}Z`
  const store = `${e.store_id} ${storeNames.get(e.store_id) ?? ''}`.padEnd(26)
  const item = `${e.quantity} × ${productNames.get(e.sku) ?? e.sku}`.padEnd(38) + e.category.padEnd(14)
  const amount = `${money(e.net_amount_minor, e.currency)} ${e.currency}`.padStart(14)
  const extras = [
    e.payment_method.toLowerCase(),
    e.promo_id ? `promo ${e.promo_id}` : '',
    e.customer_ref ? `customer ${e.customer_ref.slice(0, 8)}…` : 'anonymous',
    e.original_receipt_id ? `returns ${e.original_receipt_id}` : '',
  ].filter(Boolean)
  return `${time}  ${store} ${e.event_type.padEnd(6)} ${item} ${amount}  ${extras.join(', ')}`
}

function money(minor: number, currency: string): string {
  const digits = CURRENCY_DIGITS[currency] ?? 2
  return (minor / 10 ** digits).toFixed(digits)
}
