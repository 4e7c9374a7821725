import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  expandSqlMacros,
  extractQueries,
  panelsOf,
  substituteVariables,
  type Dashboard,
} from '../../src/observability/grafana-dashboards.ts'

const PROM = { type: 'prometheus', uid: '${datasource}' }
const PG = { type: 'grafana-postgresql-datasource', uid: '${pg}' }
const dashboard: Dashboard = {
  uid: 'demo',
  title: 'Demo',
  templating: {
    list: [
      { name: 'datasource', type: 'datasource', query: 'prometheus' },
      { name: 'pg', type: 'datasource', query: 'grafana-postgresql-datasource' },
      { name: 'partition', type: 'query', includeAll: true, allValue: '.*', current: { value: ['$__all'] } },
      { name: 'job', type: 'custom', current: { value: ['a.b', 'c'] }, multi: true },
      { name: 'one', type: 'custom', current: { value: 'x' } },
      {
        name: 'store',
        type: 'query',
        includeAll: true,
        allValue: "'__all__'",
        current: { value: ['$__all'] },
      },
      { name: 'pick', type: 'custom', options: [{ value: 'first' }, { value: 'second' }] },
      { name: 'names', type: 'custom', current: { value: ["O'Neil", 'B'] } },
    ],
  },
  panels: [
    { id: 1, type: 'row', title: 'Row', panels: [] },
    {
      id: 2,
      type: 'timeseries',
      title: 'Lag',
      datasource: PROM,
      targets: [{ refId: 'A', expr: 'max by (partition) (lag{partition=~"$partition", job=~"${job}"})' }],
    },
    {
      id: 3,
      type: 'row',
      title: 'Collapsed',
      panels: [
        {
          id: 4,
          type: 'table',
          title: 'Sales',
          datasource: PG,
          targets: [
            {
              refId: 'A',
              rawSql:
                "SELECT count(*) FROM t WHERE $__timeFilter(t.at) AND ('__all__' IN ($store) OR s IN ($store))",
            },
            { refId: 'B', datasource: PROM, expr: 'rate(x[$__rate_interval]) + [[one]] + ${pick}' },
          ],
        },
      ],
    },
  ],
}

test('panels inside rows (collapsed or not) should be found, rows themselves not', () => {
  assert.deepEqual(
    panelsOf(dashboard).map((p) => p.title),
    ['Lag', 'Sales'],
  )
})

test('every query should come out with its kind and with variables substituted as on first load', () => {
  const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-01T01:00:00Z') }
  const queries = extractQueries(dashboard, { rateInterval: '20s', range })
  assert.deepEqual(queries, [
    {
      dashboard: 'demo',
      panel: 'Lag',
      refId: 'A',
      kind: 'prometheus',
      query: 'max by (partition) (lag{partition=~".*", job=~"(a\\.b|c)"})',
    },
    {
      dashboard: 'demo',
      panel: 'Sales',
      refId: 'A',
      kind: 'sql',
      query:
        "SELECT count(*) FROM t WHERE t.at BETWEEN '2026-01-01T00:00:00.000Z' AND '2026-01-01T01:00:00.000Z' AND ('__all__' IN ('__all__') OR s IN ('__all__'))",
    },
    { dashboard: 'demo', panel: 'Sales', refId: 'B', kind: 'prometheus', query: 'rate(x[20s]) + x + first' },
  ])
})

test('variable formats and built-ins should follow Grafana', () => {
  const sub = (text: string, kind: 'prometheus' | 'sql' = 'prometheus') =>
    substituteVariables(text, dashboard, kind, {
      rateInterval: '1m',
      range: { from: new Date(0), to: new Date(7_200_000) },
    })
  assert.equal(sub('${job:pipe} ${job:csv} ${job:raw} ${one:regex}'), 'a.b|c a.b,c a.b,c x')
  assert.equal(sub('$__range $__range_s $__interval_ms'), '7200s 7200 60000')
  assert.equal(sub('$names', 'sql'), "'O''Neil','B'")
  assert.equal(sub('${one:singlequote}'), "'x'")
  assert.throws(() => sub('$nope'), /unknown variable \$nope/)
  assert.throws(() => sub('${one:percentencode}'), /format percentencode is not supported/)
})

test('SQL macros should expand like Grafana’s PostgreSQL backend, nested parentheses included', () => {
  const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-01T06:00:00Z') }
  assert.equal(
    expandSqlMacros(
      "SELECT $__timeGroupAlias(date_trunc('minute', at), '1h'), $__timeFrom(), $__timeTo() FROM t",
      range,
    ),
    "SELECT floor(extract(epoch from date_trunc('minute', at))/3600)*3600 AS \"time\", '2026-01-01T00:00:00.000Z', '2026-01-01T06:00:00.000Z' FROM t",
  )
  assert.equal(expandSqlMacros('$__timeGroup(at, 5m)', range), 'floor(extract(epoch from at)/300)*300')
  assert.equal(expandSqlMacros('no macros', range), 'no macros')
  assert.throws(
    () => expandSqlMacros('$__unixEpochFilter(at)', range),
    /\$__unixEpochFilter is not supported/,
  )
  assert.throws(() => expandSqlMacros('$__timeFilter(at', range), /unbalanced/)
})

test('a panel whose datasource is not a Prometheus or PostgreSQL variable should be reported', () => {
  const bad: Dashboard = {
    uid: 'bad',
    title: 'Bad',
    panels: [
      {
        id: 1,
        type: 'timeseries',
        title: 'X',
        datasource: { uid: '${nope}' },
        targets: [{ refId: 'A', expr: 'up' }],
      },
    ],
  }
  assert.throws(() => extractQueries(bad), /bad \/ X \/ A: no Prometheus or SQL query/)
})
