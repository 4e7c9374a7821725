/**
 * Brings a database to the program's schema: migrations, the daily partitions of sales_raw
 * around today, and the chain's reference data (stores, products). Used by `sretl migrate`,
 * `sretl up` and the test harness alike.
 */
import { migrate, type MigrateResult, type Migration } from './migrations.ts'
import { ensureSalesRawPartitions, utcDay, type CreatedPartition } from './partitions.ts'
import { loadReferenceData, type ReferenceLoad } from './reference-data-loader.ts'
import { createClient, type ConnectionSettings } from '../platform/postgres.ts'

export interface PrepareOptions {
  readonly daysBack?: number
  readonly daysAhead?: number
  readonly now?: Date
  readonly onApply?: (migration: Migration) => void
}

export interface PrepareResult {
  readonly migrations: MigrateResult
  readonly partitions: readonly CreatedPartition[]
  readonly reference: ReferenceLoad
}

export async function prepareDatabase(
  database: string | ConnectionSettings,
  options: PrepareOptions = {},
): Promise<PrepareResult> {
  const settings = typeof database === 'string' ? { url: database } : database
  const migrations = await migrate(settings, options.onApply ? { onApply: options.onApply } : {})
  const now = options.now ?? new Date()
  const client = createClient(settings, { applicationName: 'sretl-partitions', role: 'sretl_owner' })
  await client.connect()
  try {
    const partitions = await ensureSalesRawPartitions(
      client,
      utcDay(now, -(options.daysBack ?? 1)),
      utcDay(now, options.daysAhead ?? 7),
    )
    const reference = await loadReferenceData(client)
    return { migrations, partitions, reference }
  } finally {
    await client.end()
  }
}
