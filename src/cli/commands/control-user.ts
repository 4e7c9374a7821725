import { SretlError } from '../../platform/errors.ts'
import {
  hashPassword,
  hashToken,
  isRole,
  newPassword,
  newToken,
  ROLES,
  userLine,
} from '../../control/auth/users.ts'
import { defineCommand } from '../command.ts'

export const controlUserCommand = defineCommand({
  name: 'control-user',
  args: '<name>',
  summary: 'Make a user of the control panel: prints its secret once and the line for CONTROL_USERS_FILE.',
  description:
    `Roles: ${ROLES.join(', ')} (a viewer sees everything and changes nothing; an operator pauses, resumes, sets ` +
    'the rate and replays dead letters; an admin also sets the rate cap). With --token, makes a bearer token for ' +
    'scripts and `sretl` (SRETL_TOKEN) instead of a password. Only the hash goes in the file; the control service reads ' +
    'the file at start.',
  options: {
    role: { type: 'string', valueName: 'role', description: `One of ${ROLES.join(', ')} (default viewer).` },
    token: { type: 'boolean', description: 'Make a bearer token instead of a password.' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  examples: ['sretl control-user alice --role operator', 'sretl control-user ci-bot --role operator --token'],
  async run({ ui, values, positionals }) {
    const name = positionals[0] ?? ''
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) {
      throw new SretlError('USAGE', 'user names are 1–64 of A–Z a–z 0–9 . _ @ -')
    }
    const role = typeof values.role === 'string' ? values.role : 'viewer'
    if (!isRole(role)) throw new SretlError('USAGE', `--role must be one of ${ROLES.join(', ')}`)
    if (values.token === true) {
      const token = newToken()
      ui.line(`token for ${name} (shown once; keep it secret): ${token}`)
      ui.line(`line for CONTROL_USERS_FILE: ${userLine(name, role, hashToken(token))}`)
      return
    }
    const password = newPassword()
    ui.line(`password for ${name} (shown once; keep it secret): ${password}`)
    ui.line(`line for CONTROL_USERS_FILE: ${userLine(name, role, await hashPassword(password))}`)
  },
})
