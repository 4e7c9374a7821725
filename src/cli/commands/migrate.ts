import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { redactUrl } from '../../platform/logger.ts'
import { prepareDatabase } from '../../database/schema.ts'
import { ensurePostgres } from '../../stack/postgres-server.ts'
import { defineCommand } from '../command.ts'
import { describeReferenceLoad } from './seed.ts'

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary:
    'Apply the schema migrations that are not applied yet, create the coming days’ partitions and load the reference data.',
  description:
    'Forward-only numbered SQL files from sql/migrations, each in its own transaction, recorded in ' +
    'schema_migrations. Two concurrent runs wait for each other (advisory lock). Creates the database when ' +
    'it is missing and the user may. Does not start a server: the database at DATABASE_URL must answer.',
  examples: ['sretl migrate', 'DATABASE_URL=postgres://admin@db:5432/retail sretl migrate'],
  async run({ env, ui }) {
    const config = loadConfig(env, baseConfigSection)
    await ensurePostgres({
      url: config.postgres.url,
      explicit: true,
      connectTimeoutMs: config.postgres.connectTimeoutMs,
      onProgress: ui.progress,
    })
    const result = await prepareDatabase(config.postgres, {
      onApply: (m) => ui.line(`applying ${String(m.version).padStart(4, '0')}_${m.name}`),
    })
    const { migrations, partitions, reference } = result
    ui.line(
      migrations.applied.length === 0
        ? `Schema of ${redactUrl(config.postgres.url)} is up to date (version ${migrations.latestVersion}).`
        : `Applied ${migrations.applied.length} migration(s); schema of ${redactUrl(config.postgres.url)} is at version ${migrations.latestVersion}.`,
    )
    if (partitions.length > 0) {
      ui.line(
        `Created ${partitions.length} daily partition(s) of sales_raw: ${partitions[0]?.day} … ${partitions.at(-1)?.day}.`,
      )
    }
    ui.line(describeReferenceLoad(reference))
  },
})
