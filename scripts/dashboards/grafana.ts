// Builders for the provisioned Grafana dashboards (deploy/grafana/dashboards/*.json): stable
// uids, datasources only through variables, panels laid out in rows, a description on each.
// `npm run dashboards:write` writes the JSON; a test checks the files match these definitions.
import { POSTGRES_PLUGIN, PROMETHEUS_PLUGIN } from '../../src/observability/grafana-dashboards.ts'

export const PROM = { type: PROMETHEUS_PLUGIN, uid: '${datasource}' } as const
export const PG = { type: POSTGRES_PLUGIN, uid: '${pg}' } as const
type Source = typeof PROM | typeof PG

export interface Query {
  /** PromQL (Prometheus panels) … */
  readonly expr?: string
  /** … or SQL (PostgreSQL panels). */
  readonly sql?: string
  readonly legend?: string
  readonly format?: 'time_series' | 'table'
}

export interface PanelSpec {
  readonly title: string
  /** What the panel shows and what to look for. */
  readonly description: string
  readonly type?: 'timeseries' | 'stat' | 'table' | 'text' | 'bargauge'
  readonly unit?: string
  /** Width in grid columns (of 24) and height in rows. */
  readonly width?: number
  readonly height?: number
  readonly queries?: readonly Query[]
  /** Markdown of a text panel. */
  readonly content?: string
  /** A red threshold (line on time series, colour on stats). */
  readonly redAbove?: number
  readonly min?: number
  readonly max?: number
  readonly stack?: boolean
}

export interface RowSpec {
  readonly title: string
  readonly panels: readonly PanelSpec[]
}

export interface DashboardSpec {
  readonly uid: string
  readonly title: string
  readonly description: string
  readonly tags: readonly string[]
  readonly variables: readonly Record<string, unknown>[]
  readonly rows: readonly RowSpec[]
  readonly source: Source
  readonly time?: string
  readonly refresh?: string
}

export function datasourceVariable(name: 'datasource' | 'pg'): Record<string, unknown> {
  const prometheus = name === 'datasource'
  return {
    name,
    label: prometheus ? 'Prometheus' : 'PostgreSQL',
    type: 'datasource',
    query: prometheus ? PROMETHEUS_PLUGIN : POSTGRES_PLUGIN,
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
    includeAll: false,
    multi: false,
    options: [],
  }
}

/** A multi-value variable from label values, "All" by default. */
export function labelVariable(name: string, label: string, metric: string): Record<string, unknown> {
  const definition = `label_values(${metric}, ${name})`
  return {
    name,
    label,
    type: 'query',
    datasource: PROM,
    definition,
    query: { query: definition, refId: `${name}-values` },
    current: { text: 'All', value: ['$__all'] },
    includeAll: true,
    allValue: '.*',
    multi: true,
    hide: 0,
    refresh: 2,
    sort: 3,
    regex: '',
    options: [],
  }
}

/** A multi-value variable from a SQL query; "All" stands for every value. */
export function sqlVariable(name: string, label: string, sql: string): Record<string, unknown> {
  return {
    name,
    label,
    type: 'query',
    datasource: PG,
    definition: sql,
    query: sql,
    current: { text: 'All', value: ['$__all'] },
    includeAll: true,
    // substituted raw: queries test `'__all__' IN ($var)` to mean every value
    allValue: "'__all__'",
    multi: true,
    hide: 0,
    refresh: 1,
    sort: 1,
    regex: '',
    options: [],
  }
}

export function buildDashboard(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = []
  let id = 1
  let y = 0
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    })
    y += 1
    let x = 0
    let rowHeight = 0
    for (const panel of row.panels) {
      const w = panel.width ?? 12
      const h = panel.height ?? (panel.type === 'stat' ? 4 : 8)
      if (x + w > 24) {
        x = 0
        y += rowHeight
        rowHeight = 0
      }
      panels.push(buildPanel(panel, id++, { h, w, x, y }, spec.source))
      x += w
      rowHeight = Math.max(rowHeight, h)
    }
    y += rowHeight
  }
  return {
    id: null,
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: spec.time ?? 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    refresh: spec.refresh ?? '30s',
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: spec.variables },
    links: [{ title: 'sretl dashboards', type: 'dashboards', tags: ['sretl'], asDropdown: true }],
    panels,
  }
}

function buildPanel(
  panel: PanelSpec,
  id: number,
  gridPos: { h: number; w: number; x: number; y: number },
  source: Source,
): Record<string, unknown> {
  const type = panel.type ?? 'timeseries'
  const base = { id, type, title: panel.title, description: panel.description, gridPos }
  if (type === 'text') {
    return { ...base, options: { mode: 'markdown', content: panel.content ?? '' } }
  }
  const steps: Record<string, unknown>[] = [{ color: 'green', value: null }]
  if (panel.redAbove !== undefined) steps.push({ color: 'red', value: panel.redAbove })
  const defaults: Record<string, unknown> = {
    unit: panel.unit ?? 'short',
    thresholds: { mode: 'absolute', steps },
    ...(panel.min === undefined ? {} : { min: panel.min }),
    ...(panel.max === undefined ? {} : { max: panel.max }),
  }
  if (type === 'timeseries') {
    defaults.custom = {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: panel.stack ? 40 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: panel.stack ? 'normal' : 'none', group: 'A' },
      thresholdsStyle: { mode: panel.redAbove === undefined ? 'off' : 'line' },
    }
  }
  const options: Record<string, unknown> =
    type === 'stat'
      ? {
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
          colorMode: panel.redAbove === undefined ? 'none' : 'value',
          graphMode: 'area',
          textMode: 'auto',
          justifyMode: 'auto',
          orientation: 'auto',
        }
      : type === 'table'
        ? { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } }
        : type === 'bargauge'
          ? {
              displayMode: 'gradient',
              orientation: 'horizontal',
              reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            }
          : {
              legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
              tooltip: { mode: 'multi', sort: 'desc' },
            }
  const targets = (panel.queries ?? []).map((q, i) => {
    const refId = String.fromCharCode(65 + i)
    if (q.sql !== undefined) {
      return {
        refId,
        datasource: source,
        editorMode: 'code',
        format: q.format ?? 'table',
        rawQuery: true,
        rawSql: q.sql,
      }
    }
    return {
      refId,
      datasource: source,
      editorMode: 'code',
      expr: q.expr ?? '',
      legendFormat: q.legend ?? '__auto',
      range: true,
      instant: false,
    }
  })
  return { ...base, datasource: source, fieldConfig: { defaults, overrides: [] }, options, targets }
}
