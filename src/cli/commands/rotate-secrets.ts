import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { errorMessage, SretlError } from '../../platform/errors.ts'
import { defineCommand } from '../command.ts'
import { rotationSteps } from '../rotation-steps.ts'

export const rotateSecretsCommand = defineCommand({
  name: 'rotate-secrets',
  summary:
    'Replace the stack’s generated secrets (the component-admin token; more steps as secure mode adds them).',
  description:
    'Runs each rotation step in order and reports it. component-admin-token: writes a new random token to ' +
    'COMPONENT_ADMIN_TOKEN_FILE (default $SRETL_HOME/secrets/component-admin-token) atomically; components ' +
    'see the file change at their next command and take the new token, and the control service re-reads it ' +
    'when a component refuses its token, so running components and the panel carry on without a restart and ' +
    'the old token stops working. With --only, runs the named steps alone. Exit code 1 when a step failed.',
  options: {
    only: { type: 'string', description: 'Comma-separated step names to run (default: every step).' },
    list: { type: 'boolean', description: 'List the steps and exit.' },
  },
  examples: [
    'sretl rotate-secrets',
    'sretl rotate-secrets --only component-admin-token',
    'sretl rotate-secrets --list',
  ],
  async run({ env, ui, values }) {
    const config = loadConfig(env, baseConfigSection)
    if (values.list === true) {
      for (const step of rotationSteps) ui.line(`${step.name}  ${step.summary}`)
      return 0
    }
    const only = typeof values.only === 'string' ? values.only.split(',').map((s) => s.trim()) : undefined
    const unknown = (only ?? []).filter((name) => !rotationSteps.some((s) => s.name === name))
    if (unknown.length > 0) {
      throw new SretlError(
        'USAGE',
        `no rotation step ${unknown.join(', ')}; the steps are ${rotationSteps.map((s) => s.name).join(', ')}`,
      )
    }
    let failed = 0
    for (const step of rotationSteps) {
      if (only && !only.includes(step.name)) continue
      try {
        ui.line(`${step.name}: ${await step.rotate(config)}`)
      } catch (err) {
        failed += 1
        ui.warn(`${step.name}: failed: ${errorMessage(err)}`)
      }
    }
    return failed === 0 ? 0 : 1
  },
})
