import { landerOwnSection } from '../../lander/config.ts'
import { baseConfigSection } from '../../platform/base-config.ts'
import { combineSections, loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { createAdmin } from '../../platform/kafka.ts'
import { redactUrl } from '../../platform/logger.ts'
import { topicNames } from '../../platform/topics.ts'
import {
  readCheckedManifest,
  restoreDatabase,
  retentionGaps,
  withDatabase,
  type BackupManifest,
} from '../backup.ts'
import { defineCommand } from '../command.ts'
import { formatCount, type Ui } from '../ui.ts'

export const restoreCommand = defineCommand({
  name: 'restore',
  args: '<file>',
  summary: 'Restore a backup made by `sretl backup` into a new or empty database (or, told so, over one).',
  description:
    'Checks the file against its manifest (size, SHA-256), creates the target database (--into, default the ' +
    'database of DATABASE_URL) and restores it with pg_restore in one transaction, then compares the row counts ' +
    'with the manifest. A database that has tables already is refused unless --force, which drops and re-creates ' +
    'it (stop the lander first). The restored database holds the stored Kafka offsets of the backup: a lander ' +
    'pointed at it resumes there and lands again what came after the backup, once each. When Kafka answers, the ' +
    'restore checks that it still holds every record from those offsets on and names the partitions where ' +
    'retention removed some (those events can only come back from their source).',
  options: {
    into: {
      type: 'string',
      valueName: 'database',
      description: 'The database to restore into (created if absent).',
    },
    force: { type: 'boolean', description: 'Drop and re-create the target database if it has tables.' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  examples: ['sretl restore ~/.sretl/backups/sretl-2026-12-04T18-00-00-000Z.dump --into sretl_restored'],
  async run({ env, ui, values, positionals }) {
    const file = positionals[0]
    if (file === undefined) throw new SretlError('USAGE', 'name the backup file; see `sretl restore --help`')
    const config = loadConfig(env, combineSections({ base: baseConfigSection, lander: landerOwnSection }))
    const into =
      typeof values.into === 'string'
        ? values.into
        : decodeURIComponent(new URL(config.base.postgres.url).pathname.slice(1))
    ui.progress({ step: 'check', state: 'start', detail: `${file} against its manifest` })
    const manifest = await readCheckedManifest(file)
    ui.progress({
      step: 'check',
      state: 'done',
      detail: `backup of ${manifest.database} at ${manifest.createdAt}`,
    })
    const result = await restoreDatabase({
      settings: config.base.postgres,
      env,
      file,
      manifest,
      into,
      force: values.force === true,
      onProgress: ui.progress,
    })
    const rows = Object.values(result.tables).reduce((a, b) => a + b, 0)
    ui.line(
      `Restored ${formatCount(rows)} rows in ${Object.keys(result.tables).length} tables into ${redactUrl(withDatabase(config.base.postgres, into).url)}${result.replaced ? ' (replaced)' : ''}; the row counts match the manifest.`,
    )
    await reportKafkaGap(
      ui,
      config.base.kafka,
      topicNames(config.base.kafka).salesEvents,
      config.lander.groupId,
      manifest,
    )
    ui.line(
      `Erasures made after ${manifest.createdAt} are not in this backup: once the lander has caught up, run \`sretl privacy reapply\` against it (docs/data-protection.md).`,
    )
    return 0
  },
})

/** Whether Kafka still holds every record after the restored offsets; says so either way. */
async function reportKafkaGap(
  ui: Ui,
  kafka: Parameters<typeof createAdmin>[0],
  topic: string,
  group: string,
  manifest: BackupManifest,
): Promise<void> {
  const offsets = manifest.offsets.filter((o) => o.group === group && o.topic === topic)
  if (offsets.length === 0) {
    ui.line(
      `No stored offsets of ${group} on ${topic} in the backup: a lander starts that topic from its beginning.`,
    )
    return
  }
  const admin = createAdmin(kafka, 'restore')
  try {
    const [listed] = await admin.listOffsets({
      topics: [
        { name: topic, partitions: offsets.map((o) => ({ partitionIndex: o.partition, timestamp: -2n })) },
      ],
    })
    const earliest = new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]))
    const gaps = retentionGaps(offsets, earliest)
    if (gaps.length === 0) {
      ui.line(
        `Kafka still holds every record of ${topic} after the restored offsets: the lander re-lands the gap, nothing is lost.`,
      )
      return
    }
    for (const g of gaps) {
      ui.warn(
        `${topic}[${g.partition}]: records ${g.from}…${g.to - 1n} (${formatCount(g.to - g.from)}) were removed by retention after the backup; those events are lost to the pipeline unless their source re-sends them`,
      )
    }
  } catch (err) {
    ui.warn(
      `could not ask Kafka whether it still holds the records after the restored offsets (${(err as Error).message}); check before starting the lander`,
    )
  } finally {
    await admin.close().catch(() => undefined)
  }
}
