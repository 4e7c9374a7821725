/**
 * Grafana dashboards as data: the lint that keeps deploy/grafana/dashboards/ importable and
 * portable (unique uids, datasources only through variables, a description on every panel), and
 * the extraction of every panel's query with template variables and macros substituted, so each
 * can be run against a live Prometheus or PostgreSQL (`sretl smoke`, the dashboard tests).
 */

export const PROMETHEUS_PLUGIN = 'prometheus'
export const POSTGRES_PLUGIN = 'grafana-postgresql-datasource'

export interface DatasourceRef {
  readonly type?: string
  readonly uid?: string
}

export interface DashboardVariable {
  readonly name: string
  readonly type: string
  readonly query?: unknown
  readonly datasource?: DatasourceRef
  readonly current?: { readonly value?: string | readonly string[]; readonly text?: unknown }
  readonly includeAll?: boolean
  readonly allValue?: string | null
  readonly multi?: boolean
  readonly options?: readonly { readonly value: string }[]
}

export interface PanelTarget {
  readonly refId: string
  readonly datasource?: DatasourceRef
  readonly expr?: string
  readonly rawSql?: string
}

export interface Panel {
  readonly id: number
  readonly type: string
  readonly title: string
  readonly description?: string
  readonly datasource?: DatasourceRef | string | null
  readonly targets?: readonly PanelTarget[]
  readonly panels?: readonly Panel[]
}

export interface Dashboard {
  readonly uid: string
  readonly title: string
  readonly panels: readonly Panel[]
  readonly templating?: { readonly list: readonly DashboardVariable[] }
}

export type QueryKind = 'prometheus' | 'sql'

export interface DashboardQuery {
  readonly dashboard: string
  readonly panel: string
  readonly refId: string
  readonly kind: QueryKind
  /** The query as Grafana would send it: variables and macros substituted. */
  readonly query: string
}

export interface ExtractOptions {
  /** Value of $__rate_interval and $__interval in Prometheus queries; default 1m. */
  readonly rateInterval?: string
  /** The dashboard's time range for $__range and SQL time macros; default the last hour. */
  readonly range?: { readonly from: Date; readonly to: Date }
}

/** Every panel, with those inside collapsed rows, rows themselves excluded. */
export function panelsOf(dashboard: Pick<Dashboard, 'panels'>): Panel[] {
  return dashboard.panels.flatMap((panel) => (panel.type === 'row' ? [...(panel.panels ?? [])] : [panel]))
}

function variables(dashboard: Dashboard): readonly DashboardVariable[] {
  return dashboard.templating?.list ?? []
}

/** `${name}` → name, for datasource references through a variable. */
function variableName(uid: string | undefined): string | undefined {
  return /^\$\{(\w+)\}$|^\$(\w+)$/
    .exec(uid ?? '')
    ?.slice(1)
    .find(Boolean)
}

/** The kind of query a datasource reference runs, through its datasource variable. */
export function datasourceKind(dashboard: Dashboard, ref: DatasourceRef | undefined): QueryKind | undefined {
  const name = variableName(ref?.uid)
  const variable = variables(dashboard).find((v) => v.name === name && v.type === 'datasource')
  const plugin = typeof variable?.query === 'string' ? variable.query : ref?.type
  if (plugin === PROMETHEUS_PLUGIN) return 'prometheus'
  if (plugin === POSTGRES_PLUGIN || plugin === 'postgres') return 'sql'
  return undefined
}

/** The queries of every panel, substituted as Grafana would on first load (defaults selected). */
export function extractQueries(dashboard: Dashboard, options: ExtractOptions = {}): DashboardQuery[] {
  const out: DashboardQuery[] = []
  for (const panel of panelsOf(dashboard)) {
    const panelSource =
      typeof panel.datasource === 'object' && panel.datasource ? panel.datasource : undefined
    for (const target of panel.targets ?? []) {
      const kind = datasourceKind(dashboard, target.datasource ?? panelSource)
      const raw = kind === 'prometheus' ? target.expr : kind === 'sql' ? target.rawSql : undefined
      if (!kind || raw === undefined) {
        throw new Error(`${dashboard.uid} / ${panel.title} / ${target.refId}: no Prometheus or SQL query`)
      }
      const query =
        kind === 'sql'
          ? substituteVariables(expandSqlMacros(raw, options.range ?? lastHour()), dashboard, 'sql', options)
          : substituteVariables(raw, dashboard, 'prometheus', options)
      out.push({ dashboard: dashboard.uid, panel: panel.title, refId: target.refId, kind, query })
    }
  }
  return out
}

function lastHour(): { from: Date; to: Date } {
  const to = new Date()
  return { from: new Date(to.getTime() - 3_600_000), to }
}

const VARIABLE_PATTERN = /\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]|\$(\w+)/g

/** Replaces $var, ${var}, ${var:format} and [[var]] with the variable's default selection. */
export function substituteVariables(
  text: string,
  dashboard: Dashboard,
  kind: QueryKind,
  options: ExtractOptions = {},
): string {
  const range = options.range ?? lastHour()
  const rangeSeconds = Math.max(1, Math.round((range.to.getTime() - range.from.getTime()) / 1000))
  const rate = options.rateInterval ?? '1m'
  const builtins: Record<string, string> = {
    __rate_interval: rate,
    __interval: rate,
    __interval_ms: String(durationMs(rate)),
    __range: `${rangeSeconds}s`,
    __range_s: String(rangeSeconds),
    __range_ms: String(rangeSeconds * 1000),
  }
  return text.replace(
    VARIABLE_PATTERN,
    (match, n1?: string, f1?: string, n2?: string, f2?: string, n3?: string) => {
      const name = n1 ?? n2 ?? n3 ?? ''
      const format = f1 ?? f2
      const builtin = builtins[name]
      if (builtin !== undefined) return builtin
      const variable = variables(dashboard).find((v) => v.name === name)
      if (!variable) throw new Error(`${dashboard.uid}: unknown variable ${match}`)
      return formatSelection(selectionOf(variable), variable, kind, format)
    },
  )
}

interface Selection {
  readonly all: boolean
  readonly values: readonly string[]
}

function selectionOf(variable: DashboardVariable): Selection {
  const current = variable.current?.value
  const values = current === undefined ? [] : typeof current === 'string' ? [current] : [...current]
  if (values.includes('$__all') || (values.length === 0 && variable.includeAll)) {
    return { all: true, values: (variable.options ?? []).map((o) => o.value).filter((v) => v !== '$__all') }
  }
  if (values.length === 0 && variable.options?.[0]) return { all: false, values: [variable.options[0].value] }
  return { all: false, values }
}

function formatSelection(
  selection: Selection,
  variable: DashboardVariable,
  kind: QueryKind,
  format: string | undefined,
): string {
  if (selection.all && variable.allValue !== undefined && variable.allValue !== null) return variable.allValue
  if (selection.all && kind === 'prometheus') return '.*'
  const values = selection.values
  switch (format ?? (kind === 'sql' ? 'sqlstring' : values.length > 1 ? 'regex' : 'raw')) {
    case 'raw':
    case 'text':
      return values.join(',')
    case 'csv':
      return values.join(',')
    case 'pipe':
      return values.join('|')
    case 'regex':
      return values.length === 1 ? escapeRegex(values[0] ?? '') : `(${values.map(escapeRegex).join('|')})`
    case 'singlequote':
    case 'sqlstring':
      return values.length === 0 ? 'NULL' : values.map((v) => `'${v.replaceAll("'", "''")}'`).join(',')
    default:
      throw new Error(`variable ${variable.name}: format ${format} is not supported`)
  }
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')
}

function durationMs(duration: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
  let total = 0
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d)/g))
    total += Number(n) * (units[unit ?? 's'] ?? 0)
  return total
}

/**
 * Grafana's PostgreSQL macros, expanded as its backend does: $__timeFilter(col),
 * $__timeFrom(), $__timeTo(), $__timeGroup(col, 'interval') and $__timeGroupAlias(…).
 */
export function expandSqlMacros(sql: string, range: { from: Date; to: Date }): string {
  const from = `'${range.from.toISOString()}'`
  const to = `'${range.to.toISOString()}'`
  let out = ''
  let rest = sql
  for (;;) {
    const match = /\$__(\w+)\(/.exec(rest)
    if (!match) return out + rest
    const open = match.index + match[0].length
    const close = closingParen(rest, open)
    if (close < 0) throw new Error(`unbalanced parentheses after $__${match[1]}(`)
    const args = splitArgs(rest.slice(open, close))
    out += rest.slice(0, match.index) + macro(match[1] ?? '', args, from, to)
    rest = rest.slice(close + 1)
  }
}

function macro(name: string, args: readonly string[], from: string, to: string): string {
  const column = args[0] ?? ''
  switch (name) {
    case 'timeFilter':
      return `${column} BETWEEN ${from} AND ${to}`
    case 'timeFrom':
      return from
    case 'timeTo':
      return to
    case 'timeGroup':
    case 'timeGroupAlias': {
      const seconds = durationMs((args[1] ?? "'1m'").replaceAll("'", '')) / 1000
      if (!(seconds > 0)) throw new Error(`$__${name}: bad interval ${args[1]}`)
      const expr = `floor(extract(epoch from ${column})/${seconds})*${seconds}`
      return name === 'timeGroupAlias' ? `${expr} AS "time"` : expr
    }
    default:
      throw new Error(`the SQL macro $__${name} is not supported`)
  }
}

function closingParen(text: string, start: number): number {
  let depth = 1
  let quoted = false
  for (let i = start; i < text.length; i += 1) {
    const c = text[i]
    if (c === "'") quoted = !quoted
    if (quoted) continue
    if (c === '(') depth += 1
    if (c === ')') depth -= 1
    if (depth === 0) return i
  }
  return -1
}

function splitArgs(text: string): string[] {
  const args: string[] = []
  let depth = 0
  let quoted = false
  let current = ''
  for (const c of text) {
    if (c === "'") quoted = !quoted
    if (!quoted && c === '(') depth += 1
    if (!quoted && c === ')') depth -= 1
    if (!quoted && depth === 0 && c === ',') {
      args.push(current.trim())
      current = ''
      continue
    }
    current += c
  }
  if (current.trim() !== '' || args.length > 0) args.push(current.trim())
  return args
}
