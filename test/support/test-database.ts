/**
 * The database fixture most integration files share: one fresh database for the whole file,
 * created before its first test and dropped after its last, with every child lander the file
 * started killed first so that none outlives a failed test.
 */
import { after, before } from 'node:test'
import type { DbRole } from '../../src/platform/postgres.ts'
import { createTestDatabase, type TestDatabase } from './harness.ts'
import { killChildLanders } from './lander.ts'

export interface TestDatabaseOptions {
  /**
   * The file's own preparation (reference data, topics, components), run once the database
   * exists. It belongs here rather than in a `before` of the file: node:test starts a file's
   * top-level `before` hooks without waiting for the one before to finish.
   */
  readonly setUp?: (db: TestDatabase) => Promise<unknown>
  /**
   * Stops what the file started against the database (control service, components, browser);
   * runs first in the teardown, because hooks registered here run before the file's own `after`.
   */
  readonly teardown?: () => Promise<unknown>
}

/**
 * Registers the file's `before`/`after` hooks and returns the database they manage. Its fields
 * are read through to the database created in `before`, so use them inside hooks and tests only.
 */
export function useTestDatabase(options: TestDatabaseOptions = {}): TestDatabase {
  let created: TestDatabase | undefined
  const current = (): TestDatabase => {
    if (!created) throw new Error('the test database exists from the first before hook on')
    return created
  }
  before(async () => {
    created = await createTestDatabase()
    await options.setUp?.(created)
  })
  after(async () => {
    try {
      await options.teardown?.()
    } finally {
      await killChildLanders()
      await created?.drop()
    }
  })
  return {
    get name() {
      return current().name
    },
    get url() {
      return current().url
    },
    pool: (role?: DbRole) => current().pool(role),
    drop: () => current().drop(),
  }
}
