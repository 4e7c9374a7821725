import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { redactUrl } from '../../platform/logger.ts'
import { backupDatabase, formatBytes, manifestPath } from '../backup.ts'
import { defineCommand } from '../command.ts'
import { formatCount, formatDuration } from '../ui.ts'

export const backupCommand = defineCommand({
  name: 'backup',
  summary: 'Write a consistent backup of the database (pg_dump custom format) with a manifest.',
  description:
    'Dumps the database of DATABASE_URL with pg_dump in its custom format, in one snapshot that also gives the ' +
    'manifest its row counts per table and the stored Kafka offsets (consumer_offsets), so the manifest describes ' +
    'exactly what the file holds. Next to the file goes <file>.manifest.json: time, schema version, size, SHA-256, ' +
    'rows per table, offsets. Runs while the pipeline runs (the snapshot does not block landing). Never writes over ' +
    'an existing file. Use the administrator login (the DATABASE_URL `sretl up` uses), which can read every table. ' +
    'Restore with `sretl restore`; docs/data-protection.md has the runbook.',
  options: {
    out: {
      type: 'string',
      valueName: 'file',
      description: 'Where to write the backup (default $SRETL_HOME/backups/<database>-<UTC time>.dump).',
    },
    json: { type: 'boolean', description: 'Print the manifest as JSON.' },
  },
  maxPositionals: 0,
  examples: ['sretl backup', 'sretl backup --out /var/backups/sretl-monday.dump'],
  async run({ env, ui, values }) {
    const config = loadConfig(env, baseConfigSection)
    const database = decodeURIComponent(new URL(config.postgres.url).pathname.slice(1))
    let file = typeof values.out === 'string' ? values.out : undefined
    if (file === undefined) {
      const dir = join(config.paths.home, 'backups')
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      file = join(dir, `${database}-${stamp}.dump`)
    }
    ui.line(`Backing up ${redactUrl(config.postgres.url)} to ${file}`)
    const manifest = await backupDatabase({ settings: config.postgres, env, file, onProgress: ui.progress })
    if (values.json === true) {
      ui.line(JSON.stringify(manifest, null, 2))
      return 0
    }
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0)
    ui.line(
      `Wrote ${file} (${formatBytes(manifest.bytes)}, ${formatCount(rows)} rows in ${Object.keys(manifest.tables).length} tables, schema version ${manifest.schemaVersion}) in ${formatDuration(manifest.durationMs)}.`,
    )
    ui.line(`Manifest: ${manifestPath(file)} (SHA-256 ${manifest.sha256.slice(0, 16)}…)`)
    ui.line(
      `Stored offsets in the backup: ${manifest.offsets.length === 0 ? 'none (nothing landed yet)' : manifest.offsets.map((o) => `${o.topic}[${o.partition}]=${o.nextOffset}`).join(', ')}`,
    )
    return 0
  },
})
