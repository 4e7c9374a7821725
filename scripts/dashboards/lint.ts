/**
 * The lint of provisioned Grafana dashboards: each must import anywhere (no hard-coded datasource
 * ids or uids, datasources only through variables), keep a stable unique uid, and explain every
 * panel. Returns the problems found, one line each; an empty list means the dashboards pass.
 */
import {
  extractQueries,
  panelsOf,
  POSTGRES_PLUGIN,
  PROMETHEUS_PLUGIN,
  type Dashboard,
  type DashboardVariable,
} from '../../src/observability/grafana-dashboards.ts'

export interface DashboardFile {
  readonly name: string
  readonly text: string
}

export function lintDashboardFiles(files: readonly DashboardFile[]): string[] {
  const problems: string[] = []
  const uids = new Map<string, string>()
  const titles = new Map<string, string>()
  for (const file of files) {
    let json: unknown
    try {
      json = JSON.parse(file.text)
    } catch (err) {
      problems.push(`${file.name}: not valid JSON (${(err as Error).message})`)
      continue
    }
    const found = lintDashboard(json).map((p) => `${file.name}: ${p}`)
    problems.push(...found)
    const dashboard = json as Partial<Dashboard>
    for (const [map, key, what] of [
      [uids, dashboard.uid, 'uid'],
      [titles, dashboard.title, 'title'],
    ] as const) {
      if (typeof key !== 'string') continue
      const other = map.get(key)
      if (other) problems.push(`${file.name}: ${what} "${key}" is also used by ${other}`)
      map.set(key, file.name)
    }
  }
  return problems
}

export function lintDashboard(json: unknown): string[] {
  const problems: string[] = []
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return ['not a dashboard object']
  const d = json as Record<string, unknown>
  if (typeof d.uid !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(d.uid)) {
    problems.push('uid must be a stable lowercase id of at most 40 characters')
  }
  if (typeof d.title !== 'string' || d.title.trim() === '') problems.push('title is missing')
  if (d.id !== undefined && d.id !== null) problems.push('id must be null (Grafana assigns it)')
  if (typeof d.schemaVersion !== 'number') problems.push('schemaVersion is missing')
  if ('__inputs' in d) problems.push('__inputs (export placeholders) do not belong in provisioned dashboards')
  if (!Array.isArray(d.panels)) return [...problems, 'panels is missing']
  const dashboard = json as Dashboard
  const list: readonly DashboardVariable[] = dashboard.templating?.list ?? []
  const datasourceVariables = new Map(
    list.filter((v) => v.type === 'datasource').map((v) => [v.name, v.query] as const),
  )
  if (datasourceVariables.size === 0) problems.push('no datasource variable (type "datasource")')
  for (const [name, plugin] of datasourceVariables) {
    if (plugin !== PROMETHEUS_PLUGIN && plugin !== POSTGRES_PLUGIN) {
      problems.push(`datasource variable ${name} selects an unexpected plugin ${JSON.stringify(plugin)}`)
    }
  }
  const names = list.map((v) => v.name)
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
    problems.push(`variable ${name} is defined twice`)
  }

  // every datasource reference anywhere in the JSON goes through a datasource variable
  walk(json, '', (path, key, value) => {
    if (key === 'datasourceId') problems.push(`${path}: hard-coded datasourceId`)
    if (key !== 'datasource' || value === null || value === undefined) return
    if (typeof value === 'string') {
      problems.push(`${path}: datasource given by name ("${value}"); use { type, uid: "\${variable}" }`)
      return
    }
    const ref = value as { uid?: unknown; type?: unknown }
    if (ref.type === 'grafana' && ref.uid === '-- Grafana --') return
    const match = typeof ref.uid === 'string' ? /^\$\{(\w+)\}$/.exec(ref.uid) : null
    if (!match) {
      problems.push(`${path}: hard-coded datasource uid ${JSON.stringify(ref.uid)}; use "\${variable}"`)
      return
    }
    const name = match[1] ?? ''
    const plugin = datasourceVariables.get(name)
    if (!datasourceVariables.has(name)) problems.push(`${path}: \${${name}} is not a datasource variable`)
    else if (ref.type !== undefined && ref.type !== plugin) {
      problems.push(
        `${path}: type ${JSON.stringify(ref.type)} does not match \${${name}} (${JSON.stringify(plugin)})`,
      )
    }
  })

  const ids = new Set<number>()
  const all = [...dashboard.panels, ...dashboard.panels.flatMap((p) => p.panels ?? [])]
  for (const panel of all) {
    const where = `panel ${JSON.stringify(panel.title ?? panel.id)}`
    if (typeof panel.id !== 'number') problems.push(`${where}: id is missing`)
    else if (ids.has(panel.id)) problems.push(`${where}: id ${panel.id} is used twice`)
    else ids.add(panel.id)
  }
  for (const panel of panelsOf(dashboard)) {
    const where = `panel ${JSON.stringify(panel.title)}`
    if (!panel.title) problems.push(`panel ${panel.id}: title is missing`)
    if (!panel.description || panel.description.trim().length < 20) {
      problems.push(`${where}: a description saying what to look for is missing`)
    }
    const targets = panel.targets ?? []
    if (panel.type !== 'text' && targets.length === 0) problems.push(`${where}: no query`)
    const refIds = targets.map((t) => t.refId)
    if (new Set(refIds).size !== refIds.length) problems.push(`${where}: refIds repeat`)
  }
  try {
    extractQueries(dashboard)
  } catch (err) {
    problems.push((err as Error).message)
  }
  return problems
}

function walk(
  value: unknown,
  path: string,
  visit: (path: string, key: string, value: unknown) => void,
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, visit))
    return
  }
  if (typeof value !== 'object' || value === null) return
  for (const [key, inner] of Object.entries(value)) {
    const here = path === '' ? key : `${path}.${key}`
    visit(here, key, inner)
    walk(inner, here, visit)
  }
}
