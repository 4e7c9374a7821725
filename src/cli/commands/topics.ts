import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { createAdmin, ensureTopics, kafkaAnswers } from '../../platform/kafka.ts'
import { topicSpecs } from '../../platform/topics.ts'
import { defineCommand } from '../command.ts'

export const topicsCommand = defineCommand({
  name: 'topics',
  summary: 'Create the pipeline’s Kafka topics where missing (idempotent) and list them.',
  description:
    'Creates sales.events.v1 (SALES_TOPIC_PARTITIONS partitions, key store_id) and the dead-letter topic, ' +
    'with TOPIC_PREFIX before each name, and aligns their settings. A topic with fewer partitions than ' +
    'configured is reported, not silently grown (growing would move keys between partitions).',
  options: {
    check: { type: 'boolean', description: 'Only report; exit 1 when a topic is missing or differs.' },
  },
  async run({ env, ui, values }) {
    const config = loadConfig(env, baseConfigSection)
    if (!(await kafkaAnswers(config.kafka))) {
      throw new SretlError(
        'KAFKA_UNAVAILABLE',
        `no Kafka broker answered at ${config.kafka.bootstrapServers.join(',')}; start one with \`sretl up\``,
      )
    }
    const admin = createAdmin(config.kafka, 'topics')
    try {
      const specs = topicSpecs(config.kafka)
      if (values.check === true) {
        const existing = new Set(await admin.listTopics())
        const metadata = await admin.metadata({
          topics: specs.filter((s) => existing.has(s.name)).map((s) => s.name),
        })
        const rows = specs.map((s) => {
          const partitions = metadata.topics.get(s.name)?.partitionsCount
          const ok = partitions !== undefined && partitions >= s.partitions
          return [
            s.name,
            partitions === undefined ? '-' : String(partitions),
            ok ? 'ok' : partitions === undefined ? 'missing' : 'too few partitions',
          ]
        })
        ui.table(rows, ['topic', 'partitions', 'state'])
        return rows.every((r) => r[2] === 'ok') ? 0 : 1
      }
      const outcomes = await ensureTopics(admin, specs)
      ui.table(
        outcomes.map((o) => [o.name, String(o.partitions), o.action]),
        ['topic', 'partitions', 'action'],
      )
    } finally {
      await admin.close()
    }
  },
})
