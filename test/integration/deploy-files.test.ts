// The deployment files agree with the code and with each other: the image's Node is the pinned one,
// the health check knows every component's port, Grafana's provisioning matches the Compose stack
// and the dashboards, Compose keeps secrets out of its file, Prometheus scrapes every component
// under the job the alert rules expect, and the chart's rules are the rule files.
// (No Docker or cluster needed: scripts/compose-ci.sh and scripts/helm-validate.sh run those.)
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { componentNames, componentPorts } from '../../src/platform/control-targets.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8')
const yamlOf = (path: string): Record<string, any> =>
  parse(read(path), { merge: true }) as Record<string, any>

test('image should run the Node version package-lock.json pins', () => {
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version: string }> }
  const pinned = lock.packages['node_modules/node']?.version
  const dockerfile = read('deploy/docker/Dockerfile')
  assert.equal(/^ARG NODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1], pinned)
})

test('health check should know every component and its default port', async () => {
  // plain JavaScript outside the type-checked tree: imported by URL
  const { defaultPorts } = (await import(
    new URL('../../deploy/docker/healthcheck.js', import.meta.url).href
  )) as {
    defaultPorts: Record<string, number>
  }
  const expected = Object.fromEntries(
    componentNames.map((name) => [name, componentPorts[name].parse(undefined)]),
  )
  assert.deepEqual(defaultPorts, expected)
})

test('grafana provisioning should point at the Compose services, logins and dashboard mount', () => {
  const compose = yamlOf('deploy/compose/docker-compose.yml')
  const datasources = yamlOf('deploy/grafana/provisioning/datasources/sretl.yml').datasources as any[]
  const prometheus = datasources.find((d) => d.type === 'prometheus')
  const postgres = datasources.find((d) => d.type === 'grafana-postgresql-datasource')
  assert.equal(prometheus.url, 'http://prometheus:9090')
  assert.ok(compose.services.prometheus.command.includes('--web.listen-address=:9090'))
  assert.equal(postgres.url, 'postgres:5432')
  assert.ok(compose.services.postgres)
  assert.equal(postgres.jsonData.database, compose.services.postgres.environment.POSTGRES_DB)
  // the datasource's login is one the Compose PostgreSQL creates, with the secret Grafana reads
  assert.match(
    read('deploy/compose/postgres-init/10-sretl-logins.sh'),
    new RegExp(`CREATE ROLE ${postgres.user} LOGIN`),
  )
  assert.equal(postgres.secureJsonData.password, '$SRETL_GRAFANA_DB_PASSWORD')
  const grafana = compose.services.grafana
  assert.deepEqual(grafana.profiles, ['grafana'])
  assert.match(
    grafana.entrypoint.join(' '),
    /SRETL_GRAFANA_DB_PASSWORD=.*\/run\/secrets\/grafana_db_password/,
  )

  const providers = yamlOf('deploy/grafana/provisioning/dashboards/sretl.yml').providers as any[]
  const mounts = grafana.volumes as string[]
  for (const provider of providers) {
    assert.ok(
      mounts.includes(`../grafana/dashboards:${provider.options.path}:ro`),
      `dashboards mounted at ${provider.options.path}`,
    )
  }
  assert.ok(mounts.includes('../grafana/provisioning:/etc/grafana/provisioning:ro'))
  const dashboards = readdirSync(`${root}deploy/grafana/dashboards`).filter((f) => f.endsWith('.json'))
  assert.ok(dashboards.length > 0)
  const uids = dashboards.map(
    (f) => (JSON.parse(read(`deploy/grafana/dashboards/${f}`)) as { uid: string }).uid,
  )
  assert.equal(new Set(uids).size, dashboards.length, 'every dashboard has a uid of its own')
})

test('compose should keep every secret in a secret file, never in the Compose file', () => {
  const compose = yamlOf('deploy/compose/docker-compose.yml')
  for (const [name, service] of Object.entries<any>(compose.services)) {
    const env = (service.environment ?? {}) as Record<string, unknown>
    for (const [key, value] of Object.entries(env)) {
      assert.doesNotMatch(
        String(value),
        /:\/\/[^/\s:]+:[^@\s]+@/,
        `${name}.${key} holds a URL with a password`,
      )
      assert.doesNotMatch(key, /PASSWORD$|SECRET$|TOKEN$|_KEYS$/, `${name}.${key} should be a _FILE`)
      if (key.endsWith('_FILE')) {
        const secret = /^\/run\/secrets\/(\w+)$/.exec(String(value))?.[1]
        assert.ok(secret, `${name}.${key} reads a Compose secret`)
        assert.ok(compose.secrets[secret], `secret ${secret} is declared`)
        assert.ok((service.secrets as string[]).includes(secret), `${name} is given ${secret}`)
      }
    }
  }
  for (const secret of Object.values<any>(compose.secrets)) {
    assert.match(secret.file, /^\$\{SRETL_SECRETS_DIR:-\.\/secrets\}\/\w+$/)
  }
  assert.ok(read('deploy/compose/.gitignore').includes('secrets/'))
})

test('compose should give every long-running service a restart policy and resource limits', () => {
  const compose = yamlOf('deploy/compose/docker-compose.yml')
  for (const [name, service] of Object.entries<any>(compose.services)) {
    if (['migrate', 'topics'].includes(name)) {
      assert.equal(service.restart, 'no', `${name} is a one-shot`)
      continue
    }
    assert.match(String(service.restart), /^(unless-stopped|always)$/, `${name} restarts`)
    assert.ok(service.mem_limit, `${name} has a memory limit`)
    assert.ok(service.cpus, `${name} has a CPU limit`)
  }
  for (const name of componentNames) {
    const service = compose.services[name]
    assert.deepEqual(service.command, ['run', name])
    assert.equal(service.read_only, true, `${name} runs on a read-only root`)
    assert.equal(service.depends_on.migrate.condition, 'service_completed_successfully')
  }
})

test('compose prometheus should scrape every component under the job the alert rules expect', () => {
  const config = yamlOf('deploy/compose/prometheus/prometheus.yml')
  const jobs = (config.scrape_configs as any[]).map((j) => j.job_name as string)
  for (const name of componentNames) assert.ok(jobs.includes(`sretl-${name}`), `job sretl-${name}`)
  assert.ok(jobs.includes('postgres'))
  const rules = read('deploy/prometheus/rules/sretl-infrastructure.rules.yml')
  assert.match(rules, /job=~"sretl-/)
})

test('helm chart should build its PrometheusRules from the rule files themselves', () => {
  const link = `${root}deploy/helm/stream-retail-etl/files/prometheus-rules`
  assert.ok(existsSync(link))
  assert.equal(realpathSync(link), realpathSync(`${root}deploy/prometheus/rules`))
})
