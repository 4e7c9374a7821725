import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { auditCliAction } from '../audit.ts'
import { SretlError } from '../../platform/errors.ts'
import type { ComponentStatus } from '../../platform/component-server.ts'
import { defineCommand, type Command } from '../command.ts'
import { callComponent } from '../component-client.ts'
import {
  controlTargets,
  controlTargetNames,
  controlTargetsSection,
  isControlTarget,
} from '../control-targets.ts'

function flowCommand(action: 'pause' | 'resume'): Command {
  const targets = controlTargetNames.map((n) => `${n} (${controlTargets[n].pauses})`).join('; ')
  return defineCommand({
    name: action,
    args: `<${controlTargetNames.join('|')}>`,
    summary:
      action === 'pause'
        ? 'Pause a component’s flow (idempotent); `sretl resume` continues it.'
        : 'Resume a paused component (idempotent).',
    description: `Calls POST /${action} of the component’s HTTP API and prints its new state. Targets: ${targets}. The address is <NAME>_URL, else http://127.0.0.1:<NAME>_PORT.`,
    options: {
      reason: {
        type: 'string',
        valueName: 'text',
        description: 'Why, for the log and the status (max 200 characters).',
      },
      json: { type: 'boolean', description: 'Print the component’s status as JSON.' },
    },
    minPositionals: 1,
    maxPositionals: 1,
    examples: [
      `sretl ${action} simulator`,
      `sretl ${action} gateway --reason "${action === 'pause' ? 'database maintenance' : 'maintenance done'}"`,
    ],
    async run({ env, ui, values, positionals }) {
      const name = positionals[0] ?? ''
      if (!isControlTarget(name)) {
        throw new SretlError(
          'USAGE',
          `unknown component "${name}"; choose one of ${controlTargetNames.join(', ')}`,
        )
      }
      const urls = loadConfig(env, controlTargetsSection) as Record<string, string>
      const reason = typeof values.reason === 'string' ? values.reason : `sretl ${action}`
      const before = await callComponent<ComponentStatus>(name, urls[name] ?? '', '/status')
      const status = await callComponent<ComponentStatus>(name, urls[name] ?? '', `/${action}`, { reason })
      await auditCliAction(env, loadConfig(env, baseConfigSection).postgres, ui, {
        action,
        component: name,
        reason,
        before: before.state,
        after: status.state,
      })
      if (values.json === true) ui.line(JSON.stringify(status, null, 2))
      else ui.line(`${name}: ${status.state}${action === 'pause' ? ` (${reason})` : ''}`)
    },
  })
}

export const pauseCommand = flowCommand('pause')
export const resumeCommand = flowCommand('resume')
