/**
 * How the control service talks to components: their own HTTP surface (GET /status, /metrics,
 * POST /pause, /resume; the simulator's POST /rate), at the addresses of control-targets.ts.
 * Every call has a timeout; a component that does not answer is COMPONENT_UNREACHABLE, and a
 * component's own JSON refusal comes back as it was sent.
 */
import type { ComponentStatus } from '../platform/component-server.ts'
import type { ComponentName, ComponentUrls } from '../platform/control-targets.ts'
import { SretlError } from '../platform/errors.ts'

export interface ComponentAnswer<T> {
  readonly status: number
  readonly body: T
}

export interface ComponentClient {
  readonly urls: ComponentUrls
  status(name: ComponentName, timeoutMs?: number): Promise<ComponentStatus>
  /** POST a command; 2xx and 4xx answers are returned, anything else throws. */
  post(name: ComponentName, path: string, body: unknown): Promise<ComponentAnswer<Record<string, unknown>>>
  /** The component's /metrics text, at most `maxBytes`. */
  metrics(name: ComponentName, timeoutMs?: number): Promise<string>
}

const MAX_BODY_BYTES = 4 * 1024 * 1024

export function createComponentClient(options: { urls: ComponentUrls; timeoutMs: number }): ComponentClient {
  const { urls, timeoutMs } = options

  async function call(
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

  function parse(name: ComponentName, text: string): Record<string, unknown> {
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>
    } catch {
      // reported below
    }
    throw new SretlError('COMPONENT_UNREACHABLE', `the ${name} answered something that is not a JSON object`)
  }

  return {
    urls,
    async status(name, timeout = timeoutMs) {
      const { status, text } = await call(name, '/status', { method: 'GET' }, timeout)
      if (status !== 200) {
        throw new SretlError('COMPONENT_UNREACHABLE', `the ${name}'s /status answered ${status}`)
      }
      return parse(name, text) as unknown as ComponentStatus
    },
    async post(name, path, body) {
      const { status, text } = await call(
        name,
        path,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        timeoutMs,
      )
      if (status >= 500) {
        const parsed = safeParse(text)
        throw new SretlError(
          'COMPONENT_UNREACHABLE',
          `the ${name} failed: ${status} ${typeof parsed?.message === 'string' ? parsed.message : ''}`.trim(),
        )
      }
      return { status, body: parse(name, text) }
    },
    async metrics(name, timeout = timeoutMs) {
      const { status, text } = await call(name, '/metrics', { method: 'GET' }, timeout)
      if (status !== 200)
        throw new SretlError('COMPONENT_UNREACHABLE', `the ${name}'s /metrics answered ${status}`)
      return text
    },
  }
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return undefined
  }
}
