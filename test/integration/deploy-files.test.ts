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

interface ComposeService {
  command?: string[]
  entrypoint?: string[]
  environment?: Record<string, string>
  secrets?: string[]
  restart?: string
  mem_limit?: string
  cpus?: number
  read_only?: boolean
  depends_on?: Record<string, { condition: string }>
  profiles?: string[]
  volumes?: string[]
}
interface ComposeFile {
  services: Record<string, ComposeService>
  secrets: Record<string, { file: string }>
}
interface Datasource {
  type: string
  url: string
  user?: string
  jsonData?: { database?: string }
  secureJsonData?: { password?: string }
}

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8')
// YAML with merge keys (<<), as Compose reads it
const yamlOf = <T>(path: string): T => parse(read(path), { merge: true }) as T
const compose = (): ComposeFile => yamlOf<ComposeFile>('deploy/compose/docker-compose.yml')
const service = (file: ComposeFile, name: string): ComposeService => {
  const found = file.services[name]
  assert.ok(found, `service ${name}`)
  return found
}

test('image should run the Node version package-lock.json pins', () => {
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version: string }> }
  const pinned = lock.packages['node_modules/node']?.version
  assert.ok(pinned)
  assert.equal(/^ARG NODE_VERSION=(\S+)$/m.exec(read('deploy/docker/Dockerfile'))?.[1], pinned)
})

test('health check should know every component and its default port', async () => {
  // plain JavaScript outside the type-checked tree: imported by URL
  const url = new URL('../../deploy/docker/healthcheck.js', import.meta.url).href
  const { defaultPorts } = (await import(url)) as { defaultPorts: Record<string, number> }
  const expected = Object.fromEntries(
    componentNames.map((name) => [name, componentPorts[name].parse(undefined)]),
  )
  assert.deepEqual(defaultPorts, expected)
})

test('grafana provisioning should point at the Compose services, logins and dashboard mount', () => {
  const file = compose()
  const { datasources } = yamlOf<{ datasources: Datasource[] }>(
    'deploy/grafana/provisioning/datasources/sretl.yml',
  )
  const prometheus = datasources.find((d) => d.type === 'prometheus')
  const postgres = datasources.find((d) => d.type === 'grafana-postgresql-datasource')
  assert.equal(prometheus?.url, 'http://prometheus:9090')
  assert.ok(service(file, 'prometheus').command?.includes('--web.listen-address=:9090'))
  assert.equal(postgres?.url, 'postgres:5432')
  assert.equal(postgres.jsonData?.database, service(file, 'postgres').environment?.POSTGRES_DB)
  // the datasource's login is one the Compose PostgreSQL creates, with the secret Grafana reads
  assert.match(
    read('deploy/compose/postgres-init/10-sretl-logins.sh'),
    new RegExp(`CREATE ROLE ${postgres.user ?? '-'} LOGIN`),
  )
  assert.equal(postgres.secureJsonData?.password, '$SRETL_GRAFANA_DB_PASSWORD')
  const grafana = service(file, 'grafana')
  assert.deepEqual(grafana.profiles, ['grafana'])
  assert.match(
    (grafana.entrypoint ?? []).join(' '),
    /SRETL_GRAFANA_DB_PASSWORD=.*\/run\/secrets\/grafana_db_password/,
  )

  const { providers } = yamlOf<{ providers: { options: { path: string } }[] }>(
    'deploy/grafana/provisioning/dashboards/sretl.yml',
  )
  const mounts = grafana.volumes ?? []
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
  const file = compose()
  for (const [name, svc] of Object.entries(file.services)) {
    for (const [key, value] of Object.entries(svc.environment ?? {})) {
      assert.doesNotMatch(
        String(value),
        /:\/\/[^/\s:]+:[^@\s]+@/,
        `${name}.${key} holds a URL with a password`,
      )
      assert.doesNotMatch(key, /PASSWORD$|SECRET$|TOKEN$|_KEYS$/, `${name}.${key} should be a _FILE`)
      if (key.endsWith('_FILE')) {
        const secret = /^\/run\/secrets\/(\w+)$/.exec(String(value))?.[1]
        assert.ok(secret, `${name}.${key} reads a Compose secret`)
        assert.ok(file.secrets[secret], `secret ${secret} is declared`)
        assert.ok(svc.secrets?.includes(secret), `${name} is given ${secret}`)
      }
    }
  }
  for (const secret of Object.values(file.secrets)) {
    assert.match(secret.file, /^\$\{SRETL_SECRETS_DIR:-\.\/secrets\}\/\w+$/)
  }
  assert.ok(read('deploy/compose/.gitignore').includes('secrets/'))
})

test('compose should give every long-running service a restart policy and resource limits', () => {
  const file = compose()
  for (const [name, svc] of Object.entries(file.services)) {
    if (['migrate', 'topics'].includes(name)) {
      assert.equal(svc.restart, 'no', `${name} is a one-shot`)
      continue
    }
    assert.match(String(svc.restart), /^(unless-stopped|always)$/, `${name} restarts`)
    assert.ok(svc.mem_limit, `${name} has a memory limit`)
    assert.ok(svc.cpus, `${name} has a CPU limit`)
  }
  for (const name of componentNames) {
    const svc = service(file, name)
    assert.deepEqual(svc.command, ['run', name])
    assert.equal(svc.read_only, true, `${name} runs on a read-only root`)
    assert.equal(svc.depends_on?.migrate?.condition, 'service_completed_successfully')
  }
})

test('compose prometheus should scrape every component under the job the alert rules expect', () => {
  const config = yamlOf<{ scrape_configs: { job_name: string }[] }>(
    'deploy/compose/prometheus/prometheus.yml',
  )
  const jobs = config.scrape_configs.map((j) => j.job_name)
  for (const name of componentNames) assert.ok(jobs.includes(`sretl-${name}`), `job sretl-${name}`)
  assert.ok(jobs.includes('postgres'))
  assert.match(read('deploy/prometheus/rules/sretl-infrastructure.rules.yml'), /job=~"sretl-/)
})

test('helm chart should build its PrometheusRules from the rule files themselves', () => {
  const link = `${root}deploy/helm/stream-retail-etl/files/prometheus-rules`
  assert.ok(existsSync(link))
  assert.equal(realpathSync(link), realpathSync(`${root}deploy/prometheus/rules`))
})
