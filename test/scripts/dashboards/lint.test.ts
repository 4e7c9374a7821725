import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { dashboards } from '../../../scripts/dashboards/index.ts'
import { lintDashboard, lintDashboardFiles } from '../../../scripts/dashboards/lint.ts'
import { extractQueries, panelsOf, type Dashboard } from '../../../src/observability/grafana-dashboards.ts'

const DIR = new URL('../../../deploy/grafana/dashboards/', import.meta.url)
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((name) => ({ name, text: readFileSync(new URL(name, DIR), 'utf8') }))

test('the provisioned dashboards should pass the lint', () => {
  assert.deepEqual(files.map((f) => f.name).sort(), [
    'sretl-kafka.json',
    'sretl-pipeline.json',
    'sretl-postgresql.json',
    'sretl-retail.json',
  ])
  assert.deepEqual(lintDashboardFiles(files), [])
})

test('the dashboard files should be what scripts/dashboards defines (npm run dashboards:write)', () => {
  for (const file of files) {
    assert.deepEqual(JSON.parse(file.text), dashboards[file.name], `${file.name} is stale`)
  }
})

test('every panel should query its dashboard’s datasource kind, and the Retail one only PostgreSQL', () => {
  for (const file of files) {
    const dashboard = JSON.parse(file.text) as Dashboard
    const queries = extractQueries(dashboard)
    const withQueries = panelsOf(dashboard).filter((p) => p.type !== 'text')
    assert.ok(queries.length >= withQueries.length, `${file.name}: every panel has a query`)
    const kinds = new Set(queries.map((q) => q.kind))
    assert.deepEqual([...kinds], [file.name === 'sretl-retail.json' ? 'sql' : 'prometheus'], file.name)
  }
})

const good = () => ({
  uid: 'ok-1',
  title: 'OK',
  id: null,
  schemaVersion: 39,
  templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
  panels: [
    {
      id: 1,
      type: 'stat',
      title: 'Up',
      description: 'Targets answering; zero means down.',
      datasource: { type: 'prometheus', uid: '${datasource}' },
      targets: [{ refId: 'A', expr: 'up', datasource: { type: 'prometheus', uid: '${datasource}' } }],
    },
  ],
})

test('the lint should accept a clean dashboard and name each kind of problem', () => {
  assert.deepEqual(lintDashboard(good()), [])
  const cases: [string, (d: ReturnType<typeof good>) => void, RegExp][] = [
    [
      'hard-coded uid',
      (d) =>
        ((d.panels[0] as Record<string, unknown>).datasource = {
          type: 'prometheus',
          uid: 'P1809F7CD0C75ACF3',
        }),
      /hard-coded datasource uid "P1809F7CD0C75ACF3"/,
    ],
    [
      'datasource by name',
      (d) => ((d.panels[0] as Record<string, unknown>).datasource = 'Prometheus'),
      /datasource given by name/,
    ],
    [
      'datasourceId',
      (d) => ((d.panels[0] as Record<string, unknown>).datasourceId = 3),
      /hard-coded datasourceId/,
    ],
    [
      'unknown variable',
      (d) => ((d.panels[0] as Record<string, unknown>).datasource = { uid: '${ds}' }),
      /\$\{ds\} is not a datasource variable/,
    ],
    [
      'type mismatch',
      (d) => ((d.panels[0] as Record<string, unknown>).datasource = { type: 'loki', uid: '${datasource}' }),
      /type "loki" does not match/,
    ],
    [
      'no description',
      (d) => ((d.panels[0] as Record<string, unknown>).description = ''),
      /description saying what to look for/,
    ],
    ['duplicate panel id', (d) => d.panels.push({ ...d.panels[0]!, title: 'Again' }), /id 1 is used twice/],
    ['bad uid', (d) => (d.uid = 'Has Spaces'), /uid must be a stable lowercase id/],
    ['numeric id', (d) => ((d as Record<string, unknown>).id = 7), /id must be null/],
    ['no datasource variable', (d) => (d.templating.list = []), /no datasource variable/],
    [
      'undefined query variable',
      (d) => (d.panels[0]!.targets[0]!.expr = 'up{job="$job"}'),
      /unknown variable \$job/,
    ],
    ['export inputs', (d) => ((d as Record<string, unknown>).__inputs = []), /__inputs/],
    ['no query', (d) => (d.panels[0]!.targets = []), /no query/],
  ]
  for (const [name, mutate, expected] of cases) {
    const d = good()
    mutate(d)
    const problems = lintDashboard(d)
    assert.ok(
      problems.some((p) => expected.test(p)),
      `${name}: got ${JSON.stringify(problems)}`,
    )
  }
})

test('the lint should catch invalid JSON and uids or titles shared by two files', () => {
  const text = JSON.stringify(good())
  const problems = lintDashboardFiles([
    { name: 'a.json', text },
    { name: 'b.json', text },
    { name: 'c.json', text: '{ nope' },
  ])
  assert.ok(
    problems.some((p) => /^b\.json: uid "ok-1" is also used by a\.json$/.test(p)),
    problems.join('\n'),
  )
  assert.ok(problems.some((p) => /^b\.json: title "OK" is also used by a\.json$/.test(p)))
  assert.ok(problems.some((p) => /^c\.json: not valid JSON/.test(p)))
})
