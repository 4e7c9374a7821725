/**
 * One PostgreSQL login per component (ADR 0051): which roles each gets, their passwords
 * (generated, never a default, kept in 0600 files under $SRETL_HOME/secrets), the SQL that
 * creates or updates them — run by `sretl up` through its admin connection or printed by
 * `sretl db-logins --print-sql` for an administrator — and the rotation of every password.
 *
 * The SQL carries SCRAM-SHA-256 verifiers, not the passwords: the server stores them as they
 * are whatever its password_encryption, and neither the server log nor a printed script reveals
 * a password.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { errorMessage, SretlError } from '../platform/errors.ts'
import { createClient, sqlState, type ConnectionSettings } from '../platform/postgres.ts'

/** What a component's login may act as. None is the owner; none has CREATEROLE or CREATEDB. */
export const COMPONENT_LOGINS = {
  lander: {
    roles: ['sretl_landing', 'sretl_maintainer'],
    why: 'lands sales_raw, offsets and aggregates; partition maintenance through owner functions',
  },
  control: {
    roles: ['sretl_reader', 'sretl_auditor'],
    why: 'reads what the panel shows; appends to audit_log',
  },
  exporter: {
    roles: ['pg_monitor', 'sretl_monitor'],
    why: 'server statistics (pg_monitor) and the default-partition count',
  },
} as const satisfies Record<string, { roles: readonly string[]; why: string }>

export type LoginComponent = keyof typeof COMPONENT_LOGINS
export const LOGIN_COMPONENTS = Object.keys(COMPONENT_LOGINS) as LoginComponent[]

/** Most sessions one login may hold (a runaway pool cannot take every slot of the server). */
const CONNECTION_LIMIT = 40

export interface LoginNames {
  /** Prefix of the login names: `sretl_` gives sretl_lander, sretl_control, sretl_exporter. */
  readonly prefix: string
}

export function loginName(component: LoginComponent, names: LoginNames = { prefix: 'sretl_' }): string {
  return `${names.prefix}${component}`
}

export function secretsDir(home: string): string {
  return join(home, 'secrets')
}

export function passwordFile(dir: string, login: string): string {
  return join(dir, `pg-${login}.password`)
}

/** 32 random bytes, URL-safe base64: 256 bits, no character that needs quoting anywhere. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url')
}

/** The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, 4096 rounds). */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

/**
 * The SQL that creates one login (if missing) and sets its attributes, password and roles,
 * removing any other membership: safe to run again, and concurrently (the cluster is shared).
 */
export function loginSql(component: LoginComponent, verifier: string, names?: LoginNames): string {
  const login = loginName(component, names)
  const id = pg.escapeIdentifier(login)
  const wanted = COMPONENT_LOGINS[component].roles
  return [
    `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${pg.escapeLiteral(login)}) THEN
    BEGIN
      CREATE ROLE ${id} LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END $$;`,
    // only a superuser may change SUPERUSER/REPLICATION/BYPASSRLS (CREATE ROLE leaves them off): refuse a login that has any
    `DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${pg.escapeLiteral(login)} AND (rolsuper OR rolreplication OR rolbypassrls)) THEN
    RAISE EXCEPTION 'login % is a superuser or has REPLICATION/BYPASSRLS; an administrator must remove that first', ${pg.escapeLiteral(login)} USING ERRCODE = '42501';
  END IF;
END $$;`,
    `ALTER ROLE ${id} WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT ${CONNECTION_LIMIT} PASSWORD ${pg.escapeLiteral(verifier)};`,
    `GRANT ${wanted.map((r) => pg.escapeIdentifier(r)).join(', ')} TO ${id};`,
    // whatever else someone granted it (the owner role above all) goes
    `DO $$ DECLARE r text; BEGIN
  FOR r IN SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
            WHERE m.member = ${pg.escapeLiteral(login)}::regrole
              AND g.rolname <> ALL (ARRAY[${wanted.map((w) => pg.escapeLiteral(w)).join(', ')}]) LOOP
    EXECUTE format('REVOKE %I FROM ${id.replaceAll('%', '%%')}', r);
  END LOOP;
END $$;`,
  ].join('\n')
}

export interface LoginsOptions {
  /** The administrator's connection (CREATEROLE, or a superuser), e.g. `sretl up`'s own. */
  readonly admin: ConnectionSettings
  /** Where the password files go (created 0700; files 0600). */
  readonly dir: string
  readonly names?: LoginNames
  readonly components?: readonly LoginComponent[]
}

export interface ComponentLogin {
  readonly component: LoginComponent
  readonly login: string
  readonly passwordFile: string
}

/**
 * Creates or updates every component login. A password file that exists is kept (its password
 * is set again, so the file and the server agree); a missing one is generated.
 */
export async function ensureLogins(options: LoginsOptions): Promise<ComponentLogin[]> {
  return applyLogins(options, (file) => readExisting(file) ?? generatePassword())
}

/**
 * Gives every login a new random password: ALTER ROLE, then the file is replaced atomically.
 * Sessions already open stay valid (PostgreSQL checks a password only when a session starts);
 * a pool's next new connection reads the new file. Between the two steps (milliseconds) a new
 * connection would be refused once and retried by its caller.
 */
export async function rotateLoginPasswords(options: LoginsOptions): Promise<ComponentLogin[]> {
  return applyLogins(options, () => generatePassword())
}

/** The script an administrator runs on a server the project does not own, and the passwords it sets. */
export function printableLoginsSql(
  components: readonly LoginComponent[] = LOGIN_COMPONENTS,
  names?: LoginNames,
  password: (component: LoginComponent) => string = () => generatePassword(),
): { sql: string; passwords: Record<string, string> } {
  const passwords: Record<string, string> = {}
  const parts = ['-- stream-retail-etl component logins (ADR 0051); run after `sretl migrate`', 'BEGIN;']
  for (const component of components) {
    const secret = password(component)
    passwords[loginName(component, names)] = secret
    parts.push(`-- ${loginName(component, names)}: ${COMPONENT_LOGINS[component].why}`)
    parts.push(loginSql(component, scramVerifier(secret), names))
  }
  parts.push('COMMIT;')
  return { sql: `${parts.join('\n')}\n`, passwords }
}

async function applyLogins(
  options: LoginsOptions,
  choosePassword: (file: string) => string,
): Promise<ComponentLogin[]> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 })
  chmodSync(options.dir, 0o700)
  const result: ComponentLogin[] = []
  for (const component of options.components ?? LOGIN_COMPONENTS) {
    const login = loginName(component, options.names)
    const file = passwordFile(options.dir, login)
    const password = choosePassword(file)
    await withRetries(options.admin, loginSql(component, scramVerifier(password), options.names), login)
    writeSecretFile(file, password)
    result.push({ component, login, passwordFile: file })
  }
  return result
}

/** Writes a 0600 file by rename, so a reader sees the old content or the new, never a part. */
export function writeSecretFile(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(temporary, `${content}\n`, { mode: 0o600, flag: 'wx' })
  renameSync(temporary, file)
}

function readExisting(file: string): string | undefined {
  try {
    const value = readFileSync(file, 'utf8').trim()
    return value === '' ? undefined : value
  } catch {
    return undefined
  }
}

/** Catalogue updates of shared roles can collide with another session's; those are retried. */
const COLLISIONS = new Set(['XX000', '40001', '40P01', '23505', '42710'])

async function withRetries(admin: ConnectionSettings, sql: string, login: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const client = createClient(admin, { applicationName: 'sretl-db-logins' })
    try {
      await client.connect()
      await client.query('BEGIN')
      await client.query(sql)
      await client.query('COMMIT')
      return
    } catch (err) {
      const state = sqlState(err)
      if (attempt < 10 && state !== undefined && COLLISIONS.has(state)) {
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
        continue
      }
      throw new SretlError(
        'DB_LOGINS_FAILED',
        `could not create or update the PostgreSQL login ${login}: ${errorMessage(err)}${state === '42501' ? ' (the admin connection needs CREATEROLE; or run the SQL of `sretl db-logins --print-sql` as an administrator)' : ''}`,
        { cause: err, details: { sqlState: state } },
      )
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}

/** The URL a component uses: the admin's server and database, its own login, no password in it. */
export function componentUrl(adminUrl: string, login: string): string {
  const url = new URL(adminUrl)
  url.username = encodeURIComponent(login)
  url.password = ''
  return url.toString()
}
