/**
 * The local stack's database: PostgreSQL reused or started (and then watched, ADR 0060), the
 * schema brought up to date, and each component's own login (ADR 0051).
 */
import type { BaseConfig } from '../platform/base-config.ts'
import { redactUrl } from '../platform/logger.ts'
import { prepareDatabase } from '../database/schema.ts'
import { componentDatabaseEnv, type ComponentDatabaseEnv } from './database-logins.ts'
import { ensurePostgres, startCluster, watchCluster } from './postgres-server.ts'
import type { OnProgress } from './progress.ts'
import type { StackServices } from './stack-services.ts'

export interface StackDatabaseOptions {
  readonly config: BaseConfig
  /** How often a cluster the stack started is checked for having gone. */
  readonly postgresCheckIntervalMs: number
  readonly services: StackServices
  readonly onProgress: OnProgress
}

/** The components' database environment, or undefined when every component is to use DATABASE_URL. */
export async function startStackDatabase(
  options: StackDatabaseOptions,
): Promise<ComponentDatabaseEnv | undefined> {
  await startPostgres(options)
  await applySchema(options.config, options.onProgress)
  return options.config.postgres.perComponentLogins
    ? await createLogins(options.config, options.onProgress)
    : undefined
}

async function startPostgres({
  config,
  postgresCheckIntervalMs,
  services,
  onProgress,
}: StackDatabaseOptions) {
  onProgress({ step: 'postgres', state: 'start', detail: `checking ${redactUrl(config.postgres.url)}…` })
  const postgres = await ensurePostgres({
    url: config.postgres.url,
    settings: config.postgres,
    explicit: config.postgres.explicit,
    connectTimeoutMs: config.postgres.connectTimeoutMs,
    onProgress,
  })
  const cluster = postgres.startedCluster
  if (cluster) {
    const supervisor = services.supervise(
      'postgres',
      watchCluster(cluster, postgresCheckIntervalMs),
      async () => {
        await startCluster(cluster)
        return watchCluster(cluster, postgresCheckIntervalMs)
      },
    )
    services.onStop('postgres', async () => {
      supervisor.current().cancel()
      await postgres.stop()
    })
  }
  services.add({
    name: 'postgres',
    kind: 'infrastructure',
    owned: cluster !== undefined,
    address: redactUrl(config.postgres.url),
    detail: cluster ? `started cluster ${cluster.version}/${cluster.name}` : 'reused',
  })
  onProgress({
    step: 'postgres',
    state: 'done',
    detail: `${cluster ? 'started' : 'reused'} ${redactUrl(config.postgres.url)}`,
  })
}

async function applySchema(config: BaseConfig, onProgress: OnProgress): Promise<void> {
  onProgress({ step: 'schema', state: 'start', detail: 'applying migrations…' })
  const prepared = await prepareDatabase(config.postgres, {
    onApply: (m) =>
      onProgress({
        step: 'schema',
        state: 'update',
        detail: `applying ${String(m.version).padStart(4, '0')}_${m.name}`,
      }),
  })
  onProgress({
    step: 'schema',
    state: 'done',
    detail: `${prepared.migrations.applied.length} migration(s) applied, schema at version ${prepared.migrations.latestVersion}; ${prepared.partitions.length} partition(s) created; ${prepared.reference.stores.total} stores, ${prepared.reference.products.total} products`,
  })
}

async function createLogins(config: BaseConfig, onProgress: OnProgress): Promise<ComponentDatabaseEnv> {
  onProgress({ step: 'db-logins', state: 'start', detail: 'creating the components’ logins…' })
  const database = await componentDatabaseEnv(config.postgres, config.paths.home, {
    prefix: config.postgres.loginPrefix,
  })
  onProgress({
    step: 'db-logins',
    state: 'done',
    detail: `${database.logins.map((l) => l.login).join(', ')} (passwords in ${config.paths.home}/secrets)`,
  })
  return database
}
