import type { ComponentStatus } from '../../platform/component-server.ts'
import { controlTargetNames, controlTargets, isControlTarget } from '../../platform/control-targets.ts'
import { SretlError } from '../../platform/errors.ts'
import { defineCommand, type Command } from '../command.ts'
import { controlAccess, expectOk, giveCommand } from '../control-client.ts'

function flowCommand(action: 'pause' | 'resume'): Command {
  const targets = controlTargetNames.map((n) => `${n} (${controlTargets[n].pauses})`).join('; ')
  return defineCommand({
    name: action,
    args: `<${controlTargetNames.join('|')}>`,
    summary:
      action === 'pause'
        ? 'Pause a component’s flow (idempotent, audited); `sretl resume` continues it.'
        : 'Resume a paused component (idempotent, audited).',
    description:
      `Asks the control service (CONTROL_URL, else http://127.0.0.1:$CONTROL_PORT) with the token of SRETL_TOKEN / SRETL_TOKEN_FILE ` +
      `(default: the first-run admin token), which checks the role, applies it and writes audit_log. When the control service ` +
      `does not run, applies it to the component directly (<NAME>_URL, else http://127.0.0.1:<NAME>_PORT) as the local user and ` +
      `writes the audit row itself when PostgreSQL answers. Targets: ${targets}.`,
    options: {
      reason: {
        type: 'string',
        valueName: 'text',
        description: 'Why, for the audit trail and the status (max 200 characters).',
      },
      json: { type: 'boolean', description: 'Print the answer as JSON.' },
    },
    minPositionals: 1,
    maxPositionals: 1,
    examples: [
      `sretl ${action} simulator`,
      `sretl ${action} gateway --reason "${action === 'pause' ? 'database maintenance' : 'maintenance done'}"`,
      `sretl ${action} lander`,
    ],
    async run({ env, ui, values, positionals }) {
      const name = positionals[0] ?? ''
      if (!isControlTarget(name)) {
        throw new SretlError(
          'USAGE',
          `unknown component "${name}"; choose one of ${controlTargetNames.join(', ')}`,
        )
      }
      const reason = typeof values.reason === 'string' ? values.reason.slice(0, 200) : `sretl ${action}`
      const access = controlAccess(env)
      const answer = await giveCommand(
        access,
        { method: 'POST', path: `/api/v1/components/${name}/${action}`, body: { reason } },
        (local) => local.commander[action](local.actor, name, reason),
      )
      const body = expectOk(answer, ui)
      if (values.json === true) {
        ui.line(JSON.stringify(body, null, 2))
        return
      }
      const status = body.status as ComponentStatus | undefined
      const state = status?.state ?? '?'
      const already = body.changed === false ? ' (it already was)' : ''
      ui.line(`${name}: ${state}${action === 'pause' ? ` (${reason})` : ''}${already}`)
    },
  })
}

export const pauseCommand = flowCommand('pause')
export const resumeCommand = flowCommand('resume')
