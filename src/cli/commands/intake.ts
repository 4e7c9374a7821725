import { defineCommand, type Command } from '../command.ts'
import { controlAccess, expectOk, giveCommand } from '../control-client.ts'

interface TargetResult {
  target: string
  ok: boolean
  after?: { state: string }
  message?: string
}

function intakeCommand(action: 'stop' | 'resume'): Command {
  return defineCommand({
    name: `${action}-intake`,
    summary:
      action === 'stop'
        ? 'Emergency stop of all intake: pause the simulator and the gateway at once (audited).'
        : 'Resume all intake after `sretl stop-intake` (audited).',
    description:
      action === 'stop'
        ? 'Pauses the simulator (no more events produced) and the gateway (POST /v1/sales answers 503 with Retry-After, so tills hold their events and retry) together; the lander keeps landing what is in Kafka. Idempotent. Reached and authenticated like `sretl pause`.'
        : 'Resumes the simulator and the gateway together. Idempotent. Reached and authenticated like `sretl pause`.',
    options: {
      reason: { type: 'string', valueName: 'text', description: 'Why, for the audit trail.' },
      json: { type: 'boolean', description: 'Print the answer as JSON.' },
    },
    examples: [
      `sretl ${action}-intake${action === 'stop' ? ' --reason "bad prices from the POS release"' : ''}`,
    ],
    async run({ env, ui, values }) {
      const reason =
        typeof values.reason === 'string' ? values.reason.slice(0, 200) : `sretl ${action}-intake`
      const access = controlAccess(env)
      const answer = await giveCommand(
        access,
        { method: 'POST', path: `/api/v1/intake/${action}`, body: { reason } },
        (local) =>
          action === 'stop'
            ? local.commander.stopIntake(local.actor, reason)
            : local.commander.resumeIntake(local.actor, reason),
      )
      const body = expectOk(answer, ui)
      if (values.json === true) {
        ui.line(JSON.stringify(body, null, 2))
        return
      }
      const targets = (body.targets as TargetResult[]).map((t) => `${t.target} ${t.after?.state ?? '?'}`)
      ui.line(`Intake ${action === 'stop' ? 'stopped' : 'resumed'}: ${targets.join(', ')}`)
    },
  })
}

export const stopIntakeCommand = intakeCommand('stop')
export const resumeIntakeCommand = intakeCommand('resume')
