/**
 * How the control service talks to components: their own HTTP surface (GET /status, /metrics,
 * POST /pause, /resume; the simulator's POST /rate), at the addresses of control-targets.ts.
 * Every call has a timeout; a component that does not answer is COMPONENT_UNREACHABLE, and a
 * component's own JSON refusal comes back as it was sent. Commands carry the component-admin
 * token (re-read and retried once when a component refuses it: a rotation) and a command id,
 * remembered so the audit of direct commands (direct-commands.ts) can tell ours apart.
 */
import { randomUUID } from 'node:crypto'
import type { AdminTokenHolder } from '../platform/admin-token.ts'
import { COMMAND_ID_HEADER } from '../platform/component-admin.ts'
import type { ComponentStatus } from '../platform/component-server.ts'
import type { ComponentName, ComponentUrls } from '../platform/control-targets.ts'
import { isErrorCode, SretlError, type ErrorCode } from '../platform/errors.ts'
import { parseComponentStatus } from '../platform/status-details.ts'

export interface ComponentAnswer<T> {
  readonly status: number
  readonly body: T
  /** The id the command was sent with (X-Sretl-Command-Id); the audit row keeps it. */
  readonly commandId?: string
}

export interface ComponentClient {
  readonly urls: ComponentUrls
  /** True for the id of a command this client gave (the most recent ISSUED_MAX). */
  issued(commandId: string): boolean
  status(name: ComponentName, timeoutMs?: number): Promise<ComponentStatus>
  /** POST a command; 2xx and 4xx answers are returned, anything else throws. */
  post(name: ComponentName, path: string, body: unknown): Promise<ComponentAnswer<Record<string, unknown>>>
  /** The component's /metrics text, at most `maxBytes`. */
  metrics(name: ComponentName, timeoutMs?: number): Promise<string>
}

/**
 * A component's no to a command, or undefined when it applied it. Its own code is kept (so it
 * answers the control API's caller with that code's status); a route the component does not
 * have (NOT_FOUND: another version) or an answer without a known code is COMPONENT_REFUSED.
 */
export function refusalOf(
  name: ComponentName,
  answer: ComponentAnswer<Readonly<Record<string, unknown>>>,
): { readonly code: ErrorCode; readonly message: string } | undefined {
  if (answer.status === 200) return undefined
  const given = answer.body.code
  const message =
    typeof answer.body.message === 'string' ? answer.body.message : `the ${name} answered ${answer.status}`
  return { code: isErrorCode(given) && given !== 'NOT_FOUND' ? given : 'COMPONENT_REFUSED', message }
}

const MAX_BODY_BYTES = 4 * 1024 * 1024

const ISSUED_MAX = 10_000

export function createComponentClient(options: {
  urls: ComponentUrls
  timeoutMs: number
  adminToken: AdminTokenHolder
}): ComponentClient {
  const { urls, timeoutMs, adminToken } = options
  const issued = new Set<string>()
  const remember = (id: string): void => {
    issued.add(id)
    if (issued.size > ISSUED_MAX) issued.delete(issued.values().next().value ?? id)
  }

  return {
    urls,
    issued: (id) => issued.has(id.toLowerCase()),
    async status(name, timeout = timeoutMs) {
      const { status, text } = await call(urls, name, '/status', { method: 'GET' }, timeout)
      if (status !== 200) {
        throw new SretlError('COMPONENT_UNREACHABLE', `the ${name}'s /status answered ${status}`)
      }
      return parseComponentStatus(name, parseObject(name, text))
    },
    async post(name, path, body) {
      let id = ''
      const send = () => {
        id = randomUUID()
        remember(id)
        const headers = {
          'content-type': 'application/json',
          authorization: `Bearer ${adminToken.current()}`,
          [COMMAND_ID_HEADER]: id,
        }
        return call(urls, name, path, { method: 'POST', headers, body: JSON.stringify(body) }, timeoutMs)
      }
      let { status, text } = await send()
      // the token was rotated since we read it: read the file again and retry once
      if (status === 401 && adminToken.reload()) ({ status, text } = await send())
      if (status >= 500) {
        const parsed = safeParse(text)
        throw new SretlError(
          'COMPONENT_UNREACHABLE',
          `the ${name} failed: ${status} ${typeof parsed?.message === 'string' ? parsed.message : ''}`.trim(),
        )
      }
      return { status, body: parseObject(name, text), commandId: id }
    },
    async metrics(name, timeout = timeoutMs) {
      const { status, text } = await call(urls, name, '/metrics', { method: 'GET' }, timeout)
      if (status !== 200)
        throw new SretlError('COMPONENT_UNREACHABLE', `the ${name}'s /metrics answered ${status}`)
      return text
    },
  }
}

/** One HTTP call to a component with a timeout; not answering is COMPONENT_UNREACHABLE. */
async function call(
  urls: ComponentUrls,
  name: ComponentName,
  path: string,
  init: RequestInit,
  timeout: number,
): Promise<{ status: number; text: string }> {
  const base = urls[name]
  let response: Response
  try {
    response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeout) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
    throw new SretlError('COMPONENT_UNREACHABLE', `the ${name} does not answer at ${base} (${cause})`, {
      details: { component: name },
    })
  }
  const length = Number(response.headers.get('content-length') ?? '0')
  if (length > MAX_BODY_BYTES) {
    await response.body?.cancel()
    throw new SretlError('COMPONENT_UNREACHABLE', `the ${name} answered ${length} bytes; too large`)
  }
  const text = await response.text()
  return { status: response.status, text: text.slice(0, MAX_BODY_BYTES) }
}

function parseObject(name: ComponentName, text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>
  } catch {
    // reported below
  }
  throw new SretlError('COMPONENT_UNREACHABLE', `the ${name} answered something that is not a JSON object`)
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return undefined
  }
}
