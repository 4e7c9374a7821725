/**
 * Backups of the pipeline's database with PostgreSQL's own tools (pg_dump custom format,
 * pg_restore) and a manifest that says what a backup holds: row counts and stored Kafka offsets
 * read in the very snapshot pg_dump dumps (it is exported and handed over), the schema version,
 * size and SHA-256. Because the stored offsets live in the same database as the rows, a restored
 * database plus Kafka's retained log brings the pipeline back to where it was: the lander
 * resumes from the restored offsets (ADR 0054).
 */
import { createHash } from 'node:crypto'
import {
  chmodSync,
  createReadStream,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename } from 'node:path'
import type pg from 'pg'
import type { Env } from '../platform/config.ts'
import { SretlError } from '../platform/errors.ts'
import {
  connectionConfig,
  createClient,
  dropDatabaseForced,
  type ConnectionSettings,
} from '../platform/postgres.ts'
import type { OnProgress } from '../stack/progress.ts'
import { runCommand } from '../stack/run-command.ts'

export const MANIFEST_FORMAT = 'sretl-backup/1'

export interface StoredOffset {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly nextOffset: string
}

export interface BackupManifest {
  readonly format: typeof MANIFEST_FORMAT
  readonly createdAt: string
  readonly database: string
  readonly schemaVersion: number
  readonly file: string
  readonly bytes: number
  readonly sha256: string
  /** Rows per table (partitioned tables counted through their parent) in the dumped snapshot. */
  readonly tables: Readonly<Record<string, number>>
  /** Tables whose data the dump holds (partitions one by one): the restore's progress total. */
  readonly dataTables: number
  readonly offsets: readonly StoredOffset[]
  readonly durationMs: number
}

export const manifestPath = (file: string): string => `${file}.manifest.json`

/** What libpq's tools need to reach the database the pg clients reach: arguments and environment. */
export function libpqTarget(
  settings: ConnectionSettings,
  database?: string,
): { args: string[]; env: Record<string, string> } {
  const config = connectionConfig(settings)
  if (config.connectionString !== undefined) {
    const url = new URL(config.connectionString)
    if (database !== undefined) url.pathname = `/${encodeURIComponent(database)}`
    return { args: ['--dbname', url.toString()], env: {} }
  }
  const env: Record<string, string> = {
    PGHOST: String(config.host ?? '127.0.0.1'),
    PGPORT: String(config.port ?? 5432),
    PGDATABASE: database ?? config.database ?? '',
  }
  if (config.user !== undefined) env.PGUSER = config.user
  const password = typeof config.password === 'function' ? config.password() : config.password
  if (typeof password === 'string') env.PGPASSWORD = password
  const ssl = config.ssl
  if (ssl && typeof ssl === 'object') {
    env.PGSSLMODE = ssl.rejectUnauthorized === false ? 'require' : 'verify-full'
    const url = new URL(settings.url)
    const caFile =
      settings.sslMode === 'url' || settings.sslMode === undefined
        ? url.searchParams.get('sslrootcert')
        : settings.sslCaFile
    if (env.PGSSLMODE === 'verify-full' && caFile) env.PGSSLROOTCERT = caFile
  } else {
    env.PGSSLMODE = 'disable'
  }
  return { args: [], env }
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** Top-level tables of the schema (a partitioned table once, not its partitions). */
async function topLevelTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  )
  return rows.map((r) => r.name)
}

async function countRows(client: pg.Client, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of tables) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(table)}`)
    counts[table] = Number(rows[0]?.n ?? 0)
  }
  return counts
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Names in pg_dump/pg_restore's verbose lines, for progress: `… table "public.sales_raw_20261204"`. */
function tableInLine(line: string, verb: RegExp): string | undefined {
  if (!verb.test(line)) return undefined
  return /table "(?:public\.)?([^"]+)"/.exec(line)?.[1]
}

export interface BackupOptions {
  readonly settings: ConnectionSettings
  /** The environment pg_dump runs in (PATH, locale); the connection's variables are added. */
  readonly env: Env
  readonly file: string
  readonly onProgress: OnProgress
  readonly clock?: () => number
}

/** Dumps the database into `file` (never over an existing one) and writes its manifest. */
export async function backupDatabase(options: BackupOptions): Promise<BackupManifest> {
  const { settings, file, onProgress } = options
  const clock = options.clock ?? Date.now
  const started = clock()
  for (const path of [file, manifestPath(file)]) {
    if (existsSync(path)) {
      throw new SretlError(
        'BACKUP_FILE_EXISTS',
        `${path} exists already; choose another --out or remove it first`,
      )
    }
  }
  const client = createClient(settings, { applicationName: 'sretl-backup', connectTimeoutMs: 10_000 })
  await client.connect()
  const partial = `${file}.partial`
  try {
    // one snapshot for the counts, the offsets and pg_dump, so the manifest describes the dump
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const snapshot =
      (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]?.id ?? ''
    const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? ''
    const tables = await topLevelTables(client)
    onProgress({ step: 'count', state: 'start', detail: `rows of ${tables.length} tables in the snapshot` })
    const counts = await countRows(client, tables)
    onProgress({ step: 'count', state: 'done', detail: `${sum(counts).toLocaleString('en-US')} rows` })
    const schemaVersion = Number(
      (await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]
        ?.v ?? 0,
    )
    const offsets = (
      await client.query<{ group: string; topic: string; partition: number; next: string }>(
        `SELECT consumer_group AS group, topic, partition, next_offset::text AS next
           FROM consumer_offsets ORDER BY 1, 2, 3`,
      )
    ).rows.map((r) => ({ group: r.group, topic: r.topic, partition: r.partition, nextOffset: r.next }))
    const dataTables = Number(
      (
        await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'`,
        )
      ).rows[0]?.n ?? 0,
    )

    const target = libpqTarget(settings)
    let done = 0
    onProgress({ step: 'pg_dump', state: 'start', detail: `${dataTables} tables` })
    const result = await runCommand(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshot}`, '--verbose', `--file=${partial}`, ...target.args],
      {
        env: { ...options.env, ...target.env },
        onLine: (line) => {
          const table = tableInLine(line, /dumping contents of table/)
          if (table !== undefined) {
            done++
            onProgress({
              step: 'pg_dump',
              state: 'update',
              detail: `table ${done} of ${dataTables}: ${table}`,
            })
          }
        },
      },
    )
    if (result.missing) throw toolMissing('pg_dump')
    if (result.code !== 0) {
      throw new SretlError('BACKUP_FAILED', `pg_dump exited with ${result.code}: ${lastLines(result.output)}`)
    }
    await client.query('COMMIT')
    const bytes = statSync(partial).size
    onProgress({ step: 'pg_dump', state: 'done', detail: `${formatBytes(bytes)}` })
    const sha256 = await sha256Of(partial)
    // the dump holds personal data (loyalty references, operator addresses): owner only
    chmodSync(partial, 0o600)
    renameSync(partial, file)
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      createdAt: new Date(started).toISOString(),
      database,
      schemaVersion,
      file: basename(file),
      bytes,
      sha256,
      tables: counts,
      dataTables,
      offsets,
      durationMs: clock() - started,
    }
    writeFileSync(manifestPath(file), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
    return manifest
  } finally {
    await client.end().catch(() => undefined)
    rmSync(partial, { force: true })
  }
}

/** The manifest of a backup file, after checking that the file is the one it describes. */
export async function readCheckedManifest(file: string): Promise<BackupManifest> {
  if (!existsSync(file)) throw new SretlError('BACKUP_INVALID', `${file} does not exist`)
  const path = manifestPath(file)
  if (!existsSync(path)) {
    throw new SretlError('BACKUP_INVALID', `${path} is missing: a backup is only restored with its manifest`)
  }
  let manifest: BackupManifest
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest
  } catch (err) {
    throw new SretlError('BACKUP_INVALID', `${path} is not JSON (${(err as Error).message})`)
  }
  const format: unknown = manifest.format
  if (format !== MANIFEST_FORMAT) {
    throw new SretlError(
      'BACKUP_INVALID',
      `${path}: format ${JSON.stringify(format)}, expected ${MANIFEST_FORMAT}`,
    )
  }
  const bytes = statSync(file).size
  const sha256 = await sha256Of(file)
  if (bytes !== manifest.bytes || sha256 !== manifest.sha256) {
    throw new SretlError(
      'BACKUP_INVALID',
      `${file} is not the file its manifest describes (size ${bytes} vs ${manifest.bytes}, SHA-256 ${sha256.slice(0, 12)}… vs ${manifest.sha256.slice(0, 12)}…)`,
    )
  }
  return manifest
}

export interface RestoreOptions {
  /** The server, as the administrator login (it creates the database). */
  readonly settings: ConnectionSettings
  /** The environment pg_restore runs in (PATH, locale); the connection's variables are added. */
  readonly env: Env
  readonly file: string
  readonly manifest: BackupManifest
  readonly into: string
  /** Drop and re-create a database that has tables already. */
  readonly force: boolean
  readonly onProgress: OnProgress
}

export interface RestoreResult {
  readonly database: string
  readonly tables: Readonly<Record<string, number>>
  readonly replaced: boolean
}

/** Restores a checked backup into `into`, created for it; refuses a database with tables unless forced. */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const { settings, file, manifest, into, onProgress } = options
  const replaced = await prepareTarget(settings, into, options.force)
  const target = libpqTarget(settings, into)
  let done = 0
  onProgress({ step: 'pg_restore', state: 'start', detail: `${manifest.dataTables} tables into ${into}` })
  const result = await runCommand(
    'pg_restore',
    [
      '--exit-on-error',
      '--single-transaction',
      '--verbose',
      ...(target.args.length > 0 ? target.args : ['--dbname', into]),
      file,
    ],
    {
      env: { ...options.env, ...target.env },
      onLine: (line) => {
        const table = tableInLine(line, /processing data for table/)
        if (table !== undefined) {
          done++
          onProgress({
            step: 'pg_restore',
            state: 'update',
            detail: `table ${done} of ${manifest.dataTables}: ${table}`,
          })
        }
      },
    },
  )
  if (result.missing) throw toolMissing('pg_restore')
  if (result.code !== 0) {
    throw new SretlError(
      'RESTORE_FAILED',
      `pg_restore exited with ${result.code}: ${lastLines(result.output)}`,
    )
  }
  onProgress({ step: 'pg_restore', state: 'done', detail: `${done} tables` })
  const client = createClient(withDatabase(settings, into), { applicationName: 'sretl-restore' })
  await client.connect()
  try {
    const counts = await countRows(client, Object.keys(manifest.tables))
    const wrong = Object.entries(manifest.tables).filter(([t, n]) => counts[t] !== n)
    if (wrong.length > 0) {
      throw new SretlError(
        'RESTORE_FAILED',
        `restored row counts differ from the manifest: ${wrong.map(([t, n]) => `${t} ${counts[t]} (expected ${n})`).join(', ')}`,
      )
    }
    return { database: into, tables: counts, replaced }
  } finally {
    await client.end()
  }
}

/** Creates `name`, or checks that it is empty, or (forced) drops and re-creates it. */
async function prepareTarget(settings: ConnectionSettings, name: string, force: boolean): Promise<boolean> {
  const admin = createClient(withDatabase(settings, 'postgres'), { applicationName: 'sretl-restore' })
  await admin.connect()
  let replaced = false
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
    const tables = exists ? await tablesIn(settings, name) : 0
    if (tables > 0) {
      if (!force) {
        throw new SretlError(
          'RESTORE_TARGET_NOT_EMPTY',
          `database ${name} has ${tables} tables already; restore into a new one (--into <name>) or replace it with --force`,
        )
      }
      await dropDatabaseForced((sql) => admin.query(sql), name)
      replaced = true
    }
    if (!exists || replaced) await admin.query(`CREATE DATABASE ${quoteIdent(name)}`)
  } finally {
    await admin.end()
  }
  const client = createClient(withDatabase(settings, name), { applicationName: 'sretl-restore' })
  await client.connect()
  try {
    await client.query(DATABASE_PREPARATION)
  } finally {
    await client.end()
  }
  return replaced
}

/**
 * What a database needs before pg_restore can give its objects their owners: the roles (cluster
 * -wide, absent on a new server), the restoring login's membership in them, CREATE on schema
 * public for the owner (pg_dump restores schema privileges only after ownership) and the
 * database-level TEMPORARY grants (pg_dump does not carry database privileges) that migrations
 * 0001 and 0008 give.
 */
const DATABASE_PREPARATION = `
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['sretl_owner', 'sretl_writer', 'sretl_reader', 'sretl_landing',
                           'sretl_maintainer', 'sretl_auditor', 'sretl_monitor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
    EXECUTE format('GRANT %I TO CURRENT_USER', r);
  END LOOP;
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO sretl_writer, sretl_owner, sretl_landing', current_database());
END
$$;
GRANT USAGE, CREATE ON SCHEMA public TO sretl_owner;
`

async function tablesIn(settings: ConnectionSettings, database: string): Promise<number> {
  const client = createClient(withDatabase(settings, database), { applicationName: 'sretl-restore' })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`,
    )
    return Number(rows[0]?.n ?? 0)
  } finally {
    await client.end()
  }
}

export function withDatabase(settings: ConnectionSettings, database: string): ConnectionSettings {
  const url = new URL(settings.url)
  url.pathname = `/${encodeURIComponent(database)}`
  return { ...settings, url: url.toString() }
}

/** Events the restored offsets need that Kafka no longer has, per partition (retention ran past them). */
export function retentionGaps(
  offsets: readonly StoredOffset[],
  earliest: ReadonlyMap<number, bigint>,
): { partition: number; from: bigint; to: bigint }[] {
  const gaps: { partition: number; from: bigint; to: bigint }[] = []
  for (const o of offsets) {
    const first = earliest.get(o.partition)
    if (first !== undefined && first > BigInt(o.nextOffset)) {
      gaps.push({ partition: o.partition, from: BigInt(o.nextOffset), to: first })
    }
  }
  return gaps
}

const sum = (counts: Readonly<Record<string, number>>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0)

const lastLines = (output: string): string => output.split('\n').slice(-5).join(' | ')

const toolMissing = (tool: string): SretlError =>
  new SretlError(
    'BACKUP_FAILED',
    `${tool} is not installed (it comes with PostgreSQL's client package: apt-get install postgresql-client)`,
  )

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
