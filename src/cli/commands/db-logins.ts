import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import {
  COMPONENT_LOGINS,
  componentUrl,
  ensureLogins,
  LOGIN_COMPONENTS,
  passwordFile,
  printableLoginsSql,
  rotateLoginPasswords,
  secretsDir,
  writeSecretFile,
} from '../../database/db-logins.ts'
import { redactUrl } from '../../platform/logger.ts'
import { defineCommand } from '../command.ts'
import { mkdirSync } from 'node:fs'

export const dbLoginsCommand = defineCommand({
  name: 'db-logins',
  summary: 'Create, rotate or print the SQL of the components’ own PostgreSQL logins (one per component).',
  description:
    'Each component connects as its own login with only the roles it needs (docs/security.md, ADR 0051): ' +
    Object.entries(COMPONENT_LOGINS)
      .map(([c, spec]) => `sretl_${c} (${spec.roles.join(', ')})`)
      .join(', ') +
    '. Without an option, creates or updates them through DATABASE_URL (which needs CREATEROLE; `sretl up` does ' +
    'this itself on the local server) and keeps each password in $SRETL_HOME/secrets/pg-<login>.password (0600). ' +
    '--rotate gives every login a new password. --print-sql changes nothing on the server: it writes new password ' +
    'files and prints the SQL (SCRAM verifiers, no password) that an administrator of a server the project does ' +
    'not own runs with psql after `sretl migrate`. Hand each component DATABASE_URL (its login, no password) and ' +
    'DATABASE_PASSWORD_FILE.',
  options: {
    'print-sql': {
      type: 'boolean',
      description: 'Write new password files and print the SQL for an administrator instead of running it.',
    },
    rotate: {
      type: 'boolean',
      description: 'Give every login a new random password (ALTER ROLE, then the file).',
    },
  },
  examples: [
    'sretl db-logins',
    'sretl db-logins --rotate',
    'sretl db-logins --print-sql > logins.sql && psql -h db -U admin -d sretl -f logins.sql',
  ],
  async run({ env, ui, values }) {
    const config = loadConfig(env, baseConfigSection)
    const dir = secretsDir(config.paths.home)
    if (values['print-sql'] === true) {
      const names = { prefix: config.postgres.loginPrefix }
      const { sql, passwords } = printableLoginsSql(LOGIN_COMPONENTS, names)
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      for (const [login, password] of Object.entries(passwords))
        writeSecretFile(passwordFile(dir, login), password)
      ui.line(sql.trimEnd())
      ui.warn(
        `the passwords of ${LOGIN_COMPONENTS.length} logins are in ${dir}/pg-<login>.password; they take effect once the SQL above has run`,
      )
      return 0
    }
    const logins =
      values.rotate === true
        ? await rotateLoginPasswords({
            admin: config.postgres,
            dir,
            names: { prefix: config.postgres.loginPrefix },
          })
        : await ensureLogins({ admin: config.postgres, dir, names: { prefix: config.postgres.loginPrefix } })
    for (const login of logins) {
      ui.line(
        `${login.component}: DATABASE_URL=${redactUrl(componentUrl(config.postgres.url, login.login))} DATABASE_PASSWORD_FILE=${login.passwordFile}`,
      )
    }
    ui.line(values.rotate === true ? 'Every login has a new password.' : 'The logins are up to date.')
    return 0
  },
})
