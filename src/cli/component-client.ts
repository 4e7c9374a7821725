/**
 * Calls a component's HTTP API for an operator command, turning "nothing listens there" and a
 * component's JSON error into one-line CLI errors with their codes.
 */
import { errorCatalogue, SretlError, type ErrorCode } from '../platform/errors.ts'

export async function callComponent<T>(
  component: string,
  baseUrl: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<T> {
  const url = `${baseUrl}${path}`
  let response: Response
  try {
    response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
    throw new SretlError(
      'COMPONENT_UNREACHABLE',
      `the ${component} does not answer at ${baseUrl} (${cause}); is it running (\`sretl up\`, \`sretl status\`)? Its address comes from ${component.toUpperCase()}_URL or ${component.toUpperCase()}_PORT`,
    )
  }
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (!response.ok) {
    const { code, message } = (parsed ?? {}) as { code?: string; message?: string }
    const known = code !== undefined && code in errorCatalogue
    throw new SretlError(
      known ? (code as ErrorCode) : 'INTERNAL',
      `the ${component} answered ${response.status}: ${message ?? text.slice(0, 200)}`,
      { details: { status: response.status, body: parsed } },
    )
  }
  return parsed as T
}
