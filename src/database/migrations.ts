/**
 * Forward-only numbered SQL migrations (sql/migrations/NNNN_name.sql). Each runs in its own
 * transaction and is recorded with a checksum; an advisory lock makes concurrent runs wait
 * for each other instead of colliding. Files run as the owner role unless their first line is
 * `-- sretl:run-as session` (only the role bootstrap needs that).
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { SretlError } from '../platform/errors.ts'
import { createClient, describePgError, type ConnectionSettings } from '../platform/postgres.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/migrations/', import.meta.url))

/** Arbitrary constant identifying the migration lock among advisory locks. */
const MIGRATION_LOCK_KEY = 731_2026_01

export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
  readonly checksum: string
  readonly runAsSession: boolean
}

export interface MigrateResult {
  readonly applied: readonly Migration[]
  readonly alreadyApplied: number
  readonly latestVersion: number
}

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()
  const migrations: Migration[] = []
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file)
    if (!match) throw new SretlError('MIGRATION_FAILED', `migration file ${file} is not named NNNN_name.sql`)
    const sql = await readFile(join(dir, file), 'utf8')
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
      runAsSession: /^--\s*sretl:run-as session/.test(sql),
    })
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new SretlError(
        'MIGRATION_FAILED',
        `migrations must be numbered 0001, 0002, … without gaps; found ${m.version} at position ${i + 1}`,
      )
    }
  })
  return migrations
}

export interface MigrateOptions {
  readonly dir?: string
  readonly onApply?: (migration: Migration) => void
}

export async function migrate(
  database: string | ConnectionSettings,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const migrations = await loadMigrations(options.dir)
  const client = createClient(typeof database === 'string' ? { url: database } : database, {
    applicationName: 'sretl-migrate',
  })
  try {
    await client.connect()
  } catch (err) {
    throw new SretlError(
      'PG_UNREACHABLE',
      `cannot connect to PostgreSQL to migrate: ${describePgError(err)}`,
      {
        cause: err,
      },
    )
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    )
    const done = new Map(rows.map((r) => [r.version, r]))
    for (const [version, row] of done) {
      const file = migrations.find((m) => m.version === version)
      if (!file) {
        throw new SretlError(
          'MIGRATION_FAILED',
          `the database has migration ${version} (${row.name}) that this program does not know; it is older than the database`,
        )
      }
      if (file.checksum !== row.checksum) {
        throw new SretlError(
          'MIGRATION_CHECKSUM_MISMATCH',
          `migration ${version}_${file.name}.sql was changed after it was applied; add a new migration instead`,
        )
      }
    }
    const applied: Migration[] = []
    for (const migration of migrations) {
      if (done.has(migration.version)) continue
      options.onApply?.(migration)
      try {
        await client.query('BEGIN')
        if (!migration.runAsSession) await client.query('SET LOCAL ROLE sretl_owner')
        await client.query(migration.sql)
        if (!migration.runAsSession) await client.query('RESET ROLE')
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw new SretlError(
          'MIGRATION_FAILED',
          `migration ${String(migration.version).padStart(4, '0')}_${migration.name} failed: ${describePgError(err)}`,
          { cause: err },
        )
      }
      applied.push(migration)
    }
    return {
      applied,
      alreadyApplied: done.size,
      latestVersion: migrations.at(-1)?.version ?? 0,
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined)
    await client.end().catch(() => undefined)
  }
}
