import { SretlError } from '../../platform/errors.ts'
import { createComponentClient } from '../../control/component-client.ts'
import { defineCommand } from '../command.ts'
import { callControl, controlAccess, expectOk, giveCommand } from '../control-client.ts'
import { formatCount } from '../ui.ts'
import { parseComponentStatus, requireDetails } from '../../platform/status-details.ts'

export const rateCommand = defineCommand({
  name: 'rate',
  args: '[events-per-second]',
  summary: 'Set the simulator’s rate at runtime (events/s), or show it; safe limits enforced.',
  description:
    'Asks the control service (see `sretl pause --help` for how it is reached and authenticated; without it, the ' +
    'simulator directly, with the same rules). A rate above the safe cap (set by an admin, at most ' +
    'SIMULATOR_MAX_RATE_PER_SEC) is refused [RATE_ABOVE_CAP]; raising the rate to more than ' +
    'CONTROL_RATE_CONFIRM_FACTOR times the current one needs --confirm [CONFIRMATION_REQUIRED]. Refused changes ' +
    'change nothing. Every change is written to audit_log. Without an argument, prints the target, actual and cap rates.',
  options: {
    confirm: { type: 'boolean', description: 'Confirm a big jump (more than the confirmation factor).' },
    json: { type: 'boolean', description: 'Print the simulator’s status as JSON.' },
  },
  maxPositionals: 1,
  examples: ['sretl rate', 'sretl rate 2000', 'sretl rate 20000 --confirm', 'sretl rate 0.5'],
  async run({ env, ui, values, positionals }) {
    const access = controlAccess(env)
    const raw = positionals[0]
    let status: { readonly state: string; readonly details: Readonly<Record<string, unknown>> }
    if (raw === undefined) {
      const answer = await callControl(access, 'GET', '/api/v1/overview')
      const simulator = answer
        ? (
            expectOk(answer, ui).components as {
              name: string
              state: string
              details: Record<string, unknown>
            }[]
          ).find((c) => c.name === 'simulator')
        : undefined
      status = simulator
        ? { state: simulator.state, details: simulator.details }
        : await createComponentClient({
            urls: access.urls,
            timeoutMs: 10_000,
            adminToken: access.adminToken,
          }).status('simulator')
    } else {
      const ratePerSec = Number(raw.replaceAll('_', '').replaceAll(',', ''))
      if (raw.trim() === '' || !Number.isFinite(ratePerSec) || ratePerSec < 0) {
        throw new SretlError('USAGE', `the rate must be a number of events per second ≥ 0, got "${raw}"`)
      }
      const confirm = values.confirm === true
      const answer = await giveCommand(
        access,
        { method: 'POST', path: '/api/v1/rate', body: { ratePerSec, confirm } },
        (local) => local.commander.setRate(local.actor, ratePerSec, confirm),
      )
      if (answer.body.code === 'CONFIRMATION_REQUIRED') {
        if (answer.note) ui.warn(answer.note)
        throw new SretlError(
          'CONFIRMATION_REQUIRED',
          `${String(answer.body.message)}; run \`sretl rate ${raw} --confirm\``,
        )
      }
      status = parseComponentStatus('simulator', expectOk(answer, ui).status)
    }
    if (values.json === true) {
      ui.line(JSON.stringify(status, null, 2))
      return
    }
    const d = requireDetails('simulator', status)
    const prefix = raw === undefined ? 'simulator rate' : 'simulator rate set to'
    ui.line(
      `${prefix} ${formatCount(d.baseRatePerSec)} events/s (target now ${formatCount(d.targetRatePerSec)}, actual ${formatCount(Math.round(d.actualRatePerSec))}, cap ${formatCount(d.capPerSec)})${d.paused ? ' — paused; `sretl resume simulator` continues' : ''}`,
    )
  },
})
