/**
 * How `sretl pause|resume|rate|stop-intake|resume-intake|audit` give their commands: through the
 * control service's API when it answers (authenticated with a token, checked and audited there),
 * else — the control service is not running, e.g. a component run on its own — by running the
 * same commander (src/control/commands/commander.ts) in this process against the component, as the local
 * user with the admin role, writing the audit row itself when PostgreSQL answers. Either way one
 * implementation of the rules.
 */
import { userInfo } from 'node:os'
import { AdminTokenHolder, adminTokenPath } from '../platform/admin-token.ts'
import { baseConfigSection } from '../platform/base-config.ts'
import { combineSections, defineSection, loadConfig, stringVar, type Env } from '../platform/config.ts'
import { controlTargetsSection, type ComponentUrls } from '../platform/control-targets.ts'
import { errorCatalogue, errorMessage, SretlError, type ErrorCode } from '../platform/errors.ts'
import { silentLogger } from '../platform/logger.ts'
import { createPool } from '../platform/postgres.ts'
import { createAuditLog, type AuditLog } from '../control/audit.ts'
import {
  createCommander,
  messageOf,
  loadRateCap,
  type Actor,
  type Commander,
  type CommandOutcome,
} from '../control/commands/commander.ts'
import { commandReply } from '../control/command-replies.ts'
import { createComponentClient } from '../control/component-client.ts'
import { controlOwnSection } from '../control/config.ts'
import { firstRunCredentialsFile, readFirstRunToken } from '../control/auth/first-run.ts'
import { RateCap } from '../control/commands/limits.ts'
import type { Ui } from './ui.ts'

export const cliAuthSection = defineSection(
  {
    SRETL_TOKEN: stringVar(
      'Bearer token `sretl` commands present to the control service (or SRETL_TOKEN_FILE). Default: the first-run admin token in $SRETL_HOME/control/first-run-admin.txt.',
    ),
  },
  (v) => ({ token: v.SRETL_TOKEN }),
)

const section = combineSections({
  base: baseConfigSection,
  urls: controlTargetsSection,
  auth: cliAuthSection,
})

export interface ControlAccess {
  readonly env: Env
  readonly urls: ComponentUrls
  readonly token: string | undefined
  readonly home: string
  /** The component-admin token, for commands given to components directly. */
  readonly adminToken: AdminTokenHolder
}

export function controlAccess(env: Env): ControlAccess {
  const config = loadConfig(env, section)
  const urls = config.urls as ComponentUrls
  return {
    env,
    urls,
    token: config.auth.token ?? readFirstRunToken(config.base.paths.home),
    home: config.base.paths.home,
    adminToken: new AdminTokenHolder(adminTokenPath(config.base)),
  }
}

export interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
  /** How the command was given. */
  readonly via: 'control' | 'direct'
  readonly note?: string
}

/** Calls the control API; undefined when nothing answers at its address. */
export async function callControl(
  access: ControlAccess,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<Answer | undefined> {
  let response: Response
  try {
    response = await fetch(`${access.urls.control}${path}`, {
      method,
      headers: {
        ...(access.token ? { authorization: `Bearer ${access.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') return undefined
    throw new SretlError(
      'COMPONENT_UNREACHABLE',
      `the control service at ${access.urls.control} did not answer (${code ?? (err as Error).name})`,
    )
  }
  const text = await response.text()
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(text) as Record<string, unknown>
  } catch {
    parsed = { code: 'INTERNAL', message: text.slice(0, 200) }
  }
  if (response.status === 401) {
    throw new SretlError(
      'AUTH_REQUIRED',
      `the control service at ${access.urls.control} refused the request (${messageOf(parsed, '')}); set SRETL_TOKEN or SRETL_TOKEN_FILE to a token of a user with the needed role${access.token ? '' : ` (the first-run admin token is in ${firstRunCredentialsFile(access.home)})`}`,
    )
  }
  return { status: response.status, body: parsed, via: 'control' }
}

export interface LocalCommander {
  readonly commander: Commander
  readonly audit: AuditLog
  readonly actor: Actor
  close(): Promise<void>
}

/** The commander in this process, acting on the components directly (control service not running). */
export async function localCommander(access: ControlAccess): Promise<LocalCommander> {
  const base = loadConfig(access.env, baseConfigSection)
  const settings = loadConfig(access.env, controlOwnSection)
  const postgres = { ...base.postgres, connectTimeoutMs: Math.min(base.postgres.connectTimeoutMs, 3000) }
  const writer = createPool(postgres, { applicationName: 'sretl-cli', role: 'sretl_writer', max: 1 })
  const reader = createPool(postgres, { applicationName: 'sretl-cli', role: 'sretl_reader', max: 1 })
  const audit = createAuditLog({ writer, reader })
  const rateCap = new RateCap(settings.rate.defaultCapPerSec)
  await loadRateCap(audit, rateCap).catch(() => undefined)
  const commander = createCommander({
    client: createComponentClient({
      urls: access.urls,
      timeoutMs: settings.commandTimeoutMs,
      adminToken: access.adminToken,
    }),
    audit,
    rateCap,
    rateSettings: settings.rate,
    logger: silentLogger(),
    metrics: { commandDone: () => undefined, auditFailed: () => undefined },
    clock: () => new Date(),
  })
  const user = access.env.USER ?? access.env.LOGNAME ?? userInfo().username
  return {
    commander,
    audit,
    actor: { user: `local:${user}`, role: 'admin', userAgent: 'sretl-cli' },
    close: async () => void (await Promise.all([writer.end(), reader.end()])),
  }
}

/** Gives a command through the control service, or directly when it does not run. */
export async function giveCommand(
  access: ControlAccess,
  api: { method: 'POST' | 'PUT'; path: string; body: unknown },
  direct: (local: LocalCommander) => Promise<CommandOutcome>,
): Promise<Answer> {
  const answer = await callControl(access, api.method, api.path, api.body)
  if (answer) return answer
  const local = await localCommander(access)
  try {
    const outcome = await direct(local)
    const audited = outcome.auditId !== null
    const { status, body } = commandReply(outcome)
    return {
      status,
      body: { ...body },
      via: 'direct',
      note: `the control service does not answer at ${access.urls.control}; given directly to the component as ${local.actor.user}${audited ? ' (audited)' : ' — NOT audited: PostgreSQL did not take the audit row'}`,
    }
  } finally {
    await local.close()
  }
}

/** Throws the answer's error as one CLI line with its code, unless it is a 2xx. */
export function expectOk(answer: Answer, ui: Ui): Record<string, unknown> {
  if (answer.note) ui.warn(answer.note)
  if (answer.status >= 200 && answer.status < 300) return answer.body
  const code =
    typeof answer.body.code === 'string' && answer.body.code in errorCatalogue
      ? (answer.body.code as ErrorCode)
      : 'INTERNAL'
  throw new SretlError(code, messageOf(answer.body, `answered ${answer.status}`), {
    details: { status: answer.status },
  })
}

export function describeFailure(err: unknown): string {
  return errorMessage(err)
}
