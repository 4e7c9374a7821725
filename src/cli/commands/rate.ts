import type { ComponentStatus } from '../../platform/component-server.ts'
import { loadConfig } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { defineCommand } from '../command.ts'
import { callComponent } from '../component-client.ts'
import { controlTargetsSection } from '../control-targets.ts'
import { formatCount } from '../ui.ts'

interface SimulatorDetails {
  targetRatePerSec: number
  baseRatePerSec: number
  actualRatePerSec: number
  capPerSec: number
  paused: boolean
}

export const rateCommand = defineCommand({
  name: 'rate',
  args: '[events-per-second]',
  summary: 'Set the simulator’s rate at runtime (events/s), or show it.',
  description:
    'Calls POST /rate of the simulator’s HTTP API; the new rate applies within a few milliseconds, smoothly. ' +
    'A rate above the safety cap (SIMULATOR_MAX_RATE_PER_SEC) is refused [RATE_ABOVE_CAP] and the rate stays as it was. ' +
    'Without an argument, prints the target, actual and cap rates. The address is SIMULATOR_URL, else http://127.0.0.1:$SIMULATOR_PORT.',
  options: { json: { type: 'boolean', description: 'Print the simulator’s status as JSON.' } },
  maxPositionals: 1,
  examples: ['sretl rate', 'sretl rate 2000', 'sretl rate 0.5'],
  async run({ env, ui, values, positionals }) {
    const urls = loadConfig(env, controlTargetsSection) as Record<string, string>
    const url = urls.simulator ?? ''
    const raw = positionals[0]
    let status: ComponentStatus
    if (raw === undefined) {
      status = await callComponent<ComponentStatus>('simulator', url, '/status')
    } else {
      const ratePerSec = Number(raw.replaceAll('_', '').replaceAll(',', ''))
      if (raw.trim() === '' || !Number.isFinite(ratePerSec) || ratePerSec < 0) {
        throw new SretlError('USAGE', `the rate must be a number of events per second ≥ 0, got "${raw}"`)
      }
      status = await callComponent<ComponentStatus>('simulator', url, '/rate', { ratePerSec })
    }
    if (values.json === true) {
      ui.line(JSON.stringify(status, null, 2))
      return
    }
    const d = status.details as unknown as SimulatorDetails
    const prefix = raw === undefined ? 'simulator rate' : 'simulator rate set to'
    ui.line(
      `${prefix} ${formatCount(d.baseRatePerSec)} events/s (target now ${formatCount(d.targetRatePerSec)}, actual ${formatCount(Math.round(d.actualRatePerSec))}, cap ${formatCount(d.capPerSec)})${d.paused ? ' — paused; `sretl resume simulator` continues' : ''}`,
    )
  },
})
