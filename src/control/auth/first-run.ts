/**
 * A panel nobody can sign in to is no use, and a default password is a hole: on the first start
 * with no users configured, an admin with a random password and a random token is created. The
 * users file keeps only their hashes; the clear values go to a file readable by its owner alone
 * (0600), whose path `sretl up` prints. Creation is exclusive, so `sretl up` and `sretl run
 * control` starting together make one admin, not two.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hashPassword, hashToken, newPassword, newToken, userLine } from './users.ts'

export const FIRST_RUN_USER = 'admin'

export interface UsersFileLocation {
  /** The users file in use. */
  readonly usersFile: string
  /** Where the first-run admin's password and token are (undefined when users were configured). */
  readonly credentialsFile?: string
  /** True when this call created them. */
  readonly created: boolean
}

export function defaultUsersFile(home: string): string {
  return join(home, 'control', 'users')
}

export function firstRunCredentialsFile(home: string): string {
  return join(home, 'control', 'first-run-admin.txt')
}

/**
 * The users file to use: CONTROL_USERS_FILE when set (it must exist), else $SRETL_HOME/control/users,
 * created with a first-run admin when missing.
 */
export async function ensureUsersFile(
  home: string,
  configured: string | undefined,
  now: () => Date = () => new Date(),
): Promise<UsersFileLocation> {
  if (configured !== undefined) return { usersFile: configured, created: false }
  const usersFile = defaultUsersFile(home)
  const credentialsFile = firstRunCredentialsFile(home)
  const existing = (): UsersFileLocation => ({
    usersFile,
    ...(existsSync(credentialsFile) ? { credentialsFile } : {}),
    created: false,
  })
  if (existsSync(usersFile)) return existing()
  mkdirSync(join(home, 'control'), { recursive: true, mode: 0o700 })
  const password = newPassword()
  const token = newToken()
  const lines = [
    '# Users of the sretl control panel and API: <user>:<viewer|operator|admin>:<password or token hash>.',
    '# `sretl control-user <name> --role <role>` makes a line. Created on first start.',
    userLine(FIRST_RUN_USER, 'admin', await hashPassword(password)),
    userLine(FIRST_RUN_USER, 'admin', hashToken(token)),
    '',
  ]
  try {
    // 'wx': fails if another starter created it in the meantime; theirs wins
    writeFileSync(usersFile, lines.join('\n'), { flag: 'wx', mode: 0o600 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return existing()
    throw err
  }
  writeFileSync(
    credentialsFile,
    [
      `# The sretl control panel's first administrator, created ${now().toISOString()}.`,
      '# Sign in to the panel with the user and password; `sretl` commands use the token.',
      '# Keep this file secret; delete it once you have made your own users.',
      `user: ${FIRST_RUN_USER}`,
      `password: ${password}`,
      `token: ${token}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  )
  return { usersFile, credentialsFile, created: true }
}

/** The token line of a first-run credentials file, if the file is there and readable. */
export function readFirstRunToken(home: string): string | undefined {
  try {
    const text = readFileSync(firstRunCredentialsFile(home), 'utf8')
    return /^token:\s*(\S+)\s*$/m.exec(text)?.[1]
  } catch {
    return undefined
  }
}
