import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { createComponentClient } from '../../control/component-client.ts'
import { loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { stackConfigSection } from '../../platform/monitoring-config.ts'
import { readStackState } from '../../platform/stack-state.ts'
import { defineCommand } from '../command.ts'
import { controlAccess } from '../control-client.ts'
import { isProfileName, PROFILE_NAMES, PROFILES } from '../load/profiles.ts'
import {
  flowRows,
  reportMarkdown,
  RESOURCE_HEADER,
  resourceRows,
  SLO_HEADER,
  sloRows,
} from '../load/report-format.ts'
import { runLoad } from '../load/run-load.ts'
import { judge } from '../load/slo-report.ts'
import { startTills } from '../load/tills.ts'
import { createUsageSampler, stackUsageTargets } from '../load/usage-sampler.ts'

function numberOption(
  raw: string | boolean | undefined,
  name: string,
  fallback: number,
  max: number,
): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (typeof raw !== 'string' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new SretlError(
      'USAGE',
      `--${name} must be a number above 0 and at most ${max}, got "${String(raw)}"`,
    )
  }
  return value
}

function machine(): string {
  const cores = cpus()
  return `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GB, Linux ${release()}, Node ${process.version}`
}

export const loadCommand = defineCommand({
  name: 'load',
  summary: 'Run a named load profile against the running stack and print an SLO report.',
  description:
    'Drives the running stack (`npm start`) with a load profile: the simulator’s rate set through the control ' +
    'service (audited, restored afterwards) and HTTP tills posting the simulator’s receipts to the gateway. ' +
    'Profiles, as multiples of the simulator’s rate when the run starts (100 events/s by default): ' +
    PROFILE_NAMES.map(
      (n) => `${n} — ${PROFILES[n].summary} (default ${PROFILES[n].defaultMinutes} min)`,
    ).join('; ') +
    '. Shows progress every second; at the end waits for the lander to catch up and prints the SLO report: ' +
    'events in, rows landed, event→commit P50/P95/P99 (from Prometheus), lag, the tills’ 429/503 share and round ' +
    'trips, dead letters, error-budget burn and CPU seconds and peak memory per process. Writes it as JSON and ' +
    'Markdown to docs/load/ (--out). Exit code 1 when an SLO is missed.',
  options: {
    profile: {
      type: 'string',
      valueName: 'name',
      description: `One of ${PROFILE_NAMES.join(', ')} (default 1x).`,
    },
    minutes: {
      type: 'string',
      valueName: 'n',
      description: 'How long the load runs (default: the profile’s).',
    },
    out: { type: 'string', valueName: 'dir', description: 'Where the report files go (default docs/load).' },
    'api-key': {
      type: 'string',
      valueName: 'key',
      description: 'The tills’ gateway API key (default the local stack’s development key sretl-dev-key).',
    },
    'catch-up-seconds': {
      type: 'string',
      valueName: 's',
      description: 'How long the lander may take to land the run’s events after it (default 60).',
    },
    'max-in-flight': {
      type: 'string',
      valueName: 'n',
      description: 'Till requests in flight at most (default 64); more due requests are counted as skipped.',
    },
  },
  examples: [
    'sretl load --profile 5x --minutes 10',
    'sretl load --profile spike',
    'sretl load --profile gateway --minutes 3',
  ],
  async run({ env, ui, values }) {
    const name = typeof values.profile === 'string' ? values.profile : '1x'
    if (!isProfileName(name)) {
      throw new SretlError('USAGE', `unknown profile "${name}"; the profiles are ${PROFILE_NAMES.join(', ')}`)
    }
    const profile = PROFILES[name]
    const minutes = numberOption(values.minutes, 'minutes', profile.defaultMinutes, 7 * 24 * 60)
    const catchUp = numberOption(values['catch-up-seconds'], 'catch-up-seconds', 60, 3600)
    const maxInFlight = numberOption(values['max-in-flight'], 'max-in-flight', 64, 10_000)
    const config = loadConfig(env, stackConfigSection)
    const access = controlAccess(env)
    const state = readStackState(config.paths.run)
    if (state === undefined)
      ui.warn('no stack started by `sretl up` here: CPU and memory per process are not reported')
    ui.line(`load profile ${name} for ${minutes} min: ${profile.summary}`)
    const tills = startTills({
      gatewayUrl: access.urls.gateway,
      apiKey: typeof values['api-key'] === 'string' ? values['api-key'] : 'sretl-dev-key',
      seed: `load-${Date.now()}`,
      maxInFlight,
    })
    let measurements: Awaited<ReturnType<typeof runLoad>>
    try {
      measurements = await runLoad({
        profile,
        durationSec: Math.round(minutes * 60),
        access,
        components: createComponentClient({
          urls: access.urls,
          timeoutMs: 10_000,
          adminToken: access.adminToken,
        }),
        tills,
        usage: createUsageSampler(state ? stackUsageTargets(state) : []),
        prometheusUrl: config.monitoring.prometheus.url,
        drainTimeoutSec: catchUp,
        ui,
      })
    } finally {
      // also when the stack did not answer at the start: the pacing timer would keep the process alive
      await tills.stop()
    }
    const report = judge(measurements)
    ui.progress({
      step: 'load',
      state: report.met ? 'done' : 'fail',
      detail: report.met ? 'all SLOs met' : 'SLOs missed',
    })
    ui.table(sloRows(report), SLO_HEADER)
    ui.line()
    ui.table(flowRows(report), ['measure', 'value'])
    ui.line()
    ui.table(resourceRows(report), RESOURCE_HEADER)
    const dir = typeof values.out === 'string' ? values.out : join('docs', 'load')
    const stem = join(dir, `${measurements.startedAt.slice(0, 10)}-${name}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(`${stem}.json`, `${JSON.stringify({ machine: machine(), ...report }, null, 2)}\n`)
    writeFileSync(`${stem}.md`, reportMarkdown(report, machine()))
    ui.line(`\nreport written to ${stem}.md and ${stem}.json`)
    return report.met ? 0 : 1
  },
})
