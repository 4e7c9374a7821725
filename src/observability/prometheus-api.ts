/**
 * The few calls of Prometheus's HTTP API sretl needs (instant queries, targets, alerts, rules),
 * with answers reduced to what `sretl smoke`, `sretl status` and the tests look at. Failures are
 * returned as values, never thrown: callers report them.
 */

export type QueryOutcome =
  | { readonly ok: true; readonly resultType: string; readonly series: number }
  | { readonly ok: false; readonly error: string }

export interface TargetHealth {
  readonly job: string
  readonly instance: string
  readonly health: 'up' | 'down' | 'unknown'
  readonly lastError: string
}

export interface ActiveAlert {
  readonly name: string
  readonly state: 'pending' | 'firing' | 'inactive'
  readonly labels: Readonly<Record<string, string>>
}

export interface RuleHealth {
  readonly group: string
  readonly name: string
  readonly type: 'alerting' | 'recording'
  readonly health: string
  readonly lastError?: string
}

interface ApiAnswer<T> {
  readonly status: 'success' | 'error'
  readonly data?: T
  readonly error?: string
  readonly errorType?: string
}

async function call<T>(
  baseUrl: string,
  path: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<{ data: T } | { error: string }> {
  const url = `${baseUrl.replace(/\/$/, '')}${path}`
  let response: Response
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code
    return { error: `Prometheus at ${baseUrl} did not answer (${cause ?? (err as Error).name})` }
  }
  let body: ApiAnswer<T>
  try {
    body = (await response.json()) as ApiAnswer<T>
  } catch {
    return { error: `Prometheus at ${baseUrl} answered ${response.status} without JSON` }
  }
  if (body.status !== 'success' || body.data === undefined) {
    return { error: body.error ?? `${body.errorType ?? 'error'} (HTTP ${response.status})` }
  }
  return { data: body.data }
}

/** Runs an instant query; counts the series (or 1 for a scalar/string) it returned. */
export async function instantQuery(
  baseUrl: string,
  expr: string,
  options: { timeoutMs?: number; time?: Date } = {},
): Promise<QueryOutcome> {
  const form = new URLSearchParams({ query: expr })
  if (options.time) form.set('time', String(options.time.getTime() / 1000))
  const answer = await call<{ resultType: string; result: unknown }>(baseUrl, '/api/v1/query', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  })
  if ('error' in answer) return { ok: false, error: answer.error }
  const { resultType, result } = answer.data
  return { ok: true, resultType, series: Array.isArray(result) ? result.length : 1 }
}

/** The value of a query that returns one series, or undefined. */
export async function queryValue(baseUrl: string, expr: string): Promise<number | undefined> {
  const answer = await call<{ result: { value: [number, string] }[] }>(
    baseUrl,
    `/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`,
  )
  if ('error' in answer) return undefined
  const value = answer.data.result[0]?.value[1]
  return value === undefined ? undefined : Number(value)
}

export async function activeTargets(baseUrl: string): Promise<TargetHealth[] | { error: string }> {
  const answer = await call<{
    activeTargets: { labels: Record<string, string>; health: string; lastError: string }[]
  }>(baseUrl, '/api/v1/targets?state=active')
  if ('error' in answer) return answer
  return answer.data.activeTargets.map((t) => ({
    job: t.labels.job ?? '',
    instance: t.labels.instance ?? '',
    health: t.health === 'up' || t.health === 'down' ? t.health : 'unknown',
    lastError: t.lastError,
  }))
}

export async function alerts(baseUrl: string): Promise<ActiveAlert[] | { error: string }> {
  const answer = await call<{ alerts: { labels: Record<string, string>; state: string }[] }>(
    baseUrl,
    '/api/v1/alerts',
  )
  if ('error' in answer) return answer
  return answer.data.alerts.map((a) => ({
    name: a.labels.alertname ?? '',
    state: a.state === 'firing' || a.state === 'pending' ? a.state : 'inactive',
    labels: a.labels,
  }))
}

export async function rules(baseUrl: string): Promise<RuleHealth[] | { error: string }> {
  const answer = await call<{
    groups: { name: string; rules: { name: string; type: string; health: string; lastError?: string }[] }[]
  }>(baseUrl, '/api/v1/rules')
  if ('error' in answer) return answer
  return answer.data.groups.flatMap((g) =>
    g.rules.map((r) => ({
      group: g.name,
      name: r.name,
      type: r.type === 'alerting' ? 'alerting' : 'recording',
      health: r.health,
      ...(r.lastError ? { lastError: r.lastError } : {}),
    })),
  )
}
