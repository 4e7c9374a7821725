/**
 * The control service for integration tests: a users file with one user per role (known
 * passwords and tokens), `sretl run control` as a child process on a free port, and API
 * sessions that sign in like the panel (cookie + CSRF token) or use a bearer token.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hashPassword, hashToken, newToken, type Role } from '../../src/control/auth/users.ts'
import { startComponent, type RunningComponent } from './components.ts'
import { componentLogin } from './harness.ts'

export interface TestUser {
  readonly user: string
  readonly role: Role
  readonly password: string
  readonly token: string
}

export type TestUsers = Readonly<Record<Role, TestUser>>

/** Writes a users file with viewer "vera", operator "otto" and admin "ada". */
export async function writeUsersFile(dir: string): Promise<{ file: string; users: TestUsers }> {
  const make = (user: string, role: Role): TestUser => ({
    user,
    role,
    password: `${user}-secret-pw`,
    token: newToken(),
  })
  const users = {
    viewer: make('vera', 'viewer'),
    operator: make('otto', 'operator'),
    admin: make('ada', 'admin'),
  }
  const lines: string[] = ['# test users']
  for (const u of Object.values(users)) {
    lines.push(
      `${u.user}:${u.role}:${await hashPassword(u.password)}`,
      `${u.user}:${u.role}:${hashToken(u.token)}`,
    )
  }
  const file = join(dir, 'control-users')
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 })
  return { file, users }
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: Record<string, unknown>
}

export const TEST_AGENT = 'sretl-integration-test/1.0'

async function request(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, {
    ...init,
    headers: { 'user-agent': TEST_AGENT, ...(init.headers as Record<string, string>) },
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  }
}

/** A signed-in panel session: the cookie, and the CSRF token sent on changes unless told not to. */
export class PanelSession {
  readonly base: string
  readonly cookie: string
  readonly csrfToken: string
  readonly role: string

  constructor(base: string, cookie: string, csrfToken: string, role: string) {
    this.base = base
    this.cookie = cookie
    this.csrfToken = csrfToken
    this.role = role
  }

  static async signIn(base: string, user: TestUser): Promise<PanelSession> {
    const answer = await request(`${base}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: user.user, password: user.password }),
    })
    if (answer.status !== 200)
      throw new Error(`sign-in as ${user.user} failed: ${answer.status} ${JSON.stringify(answer.body)}`)
    const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    return new PanelSession(base, cookie, String(answer.body.csrfToken), String(answer.body.role))
  }

  get(path: string): Promise<Answer> {
    return request(`${this.base}${path}`, { headers: { cookie: this.cookie } })
  }

  send(
    method: 'POST' | 'PUT',
    path: string,
    body: unknown = {},
    options: { csrf?: boolean } = {},
  ): Promise<Answer> {
    return request(`${this.base}${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        'content-type': 'application/json',
        ...(options.csrf === false ? {} : { 'x-csrf-token': this.csrfToken }),
      },
      body: JSON.stringify(body),
    })
  }

  post(path: string, body: unknown = {}, options: { csrf?: boolean } = {}): Promise<Answer> {
    return this.send('POST', path, body, options)
  }
}

export function withToken(base: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  return {
    get: (path: string) => request(`${base}${path}`, { headers }),
    post: (path: string, body: unknown = {}) =>
      request(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }),
  }
}

/** Starts `sretl run control` against the given components' URLs, with the test users. */
export async function startControl(
  env: Record<string, string>,
  usersFile: string,
  extra: Record<string, string> = {},
): Promise<RunningComponent> {
  // on a test database the service runs under the control login it has in production (ADR 0051)
  const own =
    env.DATABASE_URL && !env.DATABASE_PASSWORD_FILE ? componentLogin(env.DATABASE_URL, 'control').env : {}
  return startComponent('control', {
    CONTROL_USERS_FILE: usersFile,
    CONTROL_POLL_INTERVAL_MS: '500',
    ...env,
    ...own,
    ...extra,
  })
}

export interface ControlWithUsers {
  readonly control: RunningComponent
  readonly users: TestUsers
  /** For starting the service again with the same users. */
  readonly usersFile: string
}

/** Writes the test users under the environment's SRETL_HOME and starts the control service with them. */
export async function startControlWithUsers(env: Record<string, string>): Promise<ControlWithUsers> {
  const { file, users } = await writeUsersFile(mkdtempSync(join(env.SRETL_HOME ?? '', 'users-')))
  return { control: await startControl(env, file), users, usersFile: file }
}
