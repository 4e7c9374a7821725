/**
 * `sretl up`'s step that gives each component its own PostgreSQL login (ADR 0051): the logins
 * are created or updated through the stack's admin connection, and each component is started
 * with its login's URL (no password in it) and password file; the gateway and the simulator,
 * which never touch the database, get no credentials at all.
 */
import type { PostgresConfig } from '../platform/base-config.ts'
import {
  componentUrl,
  ensureLogins,
  secretsDir,
  type ComponentLogin,
  type LoginNames,
} from '../database/db-logins.ts'
import { exporterDataSource } from './monitoring.ts'
import { readFileSync } from 'node:fs'

export interface ComponentDatabaseEnv {
  /** Variables to add to each component's environment, by component name. */
  readonly env: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** The PostgreSQL exporter's data source (its own login, pg_monitor). */
  readonly exporterUrl: string | undefined
  readonly logins: readonly ComponentLogin[]
}

/** Components that open no PostgreSQL connection: they are handed none. */
const NO_DATABASE = ['gateway', 'simulator']

export async function componentDatabaseEnv(
  postgres: PostgresConfig,
  home: string,
  names?: LoginNames,
): Promise<ComponentDatabaseEnv> {
  const logins = await ensureLogins({ admin: postgres, dir: secretsDir(home), ...(names ? { names } : {}) })
  const env: Record<string, Record<string, string>> = {}
  let exporterUrl: string | undefined
  for (const login of logins) {
    const url = componentUrl(postgres.url, login.login)
    if (login.component === 'exporter') {
      // the exporter reads no *_FILE for a DSN: its URL carries the password, in its environment only
      const withPassword = new URL(url)
      withPassword.password = encodeURIComponent(readFileSync(login.passwordFile, 'utf8').trim())
      if (postgres.sslMode === 'verify-full' && postgres.sslCaFile) {
        withPassword.searchParams.set('sslmode', 'verify-full')
        withPassword.searchParams.set('sslrootcert', postgres.sslCaFile)
      } else if (postgres.sslMode === 'require') {
        withPassword.searchParams.set('sslmode', 'require')
      }
      exporterUrl = exporterDataSource(withPassword.toString())
      continue
    }
    env[login.component] = {
      DATABASE_URL: url,
      DATABASE_PASSWORD: '',
      DATABASE_PASSWORD_FILE: login.passwordFile,
    }
  }
  for (const name of NO_DATABASE)
    env[name] = { DATABASE_URL: '', DATABASE_PASSWORD: '', DATABASE_PASSWORD_FILE: '' }
  return { env, exporterUrl, logins }
}
