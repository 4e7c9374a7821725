/**
 * The steps of `sretl rotate-secrets`, in the order they run. Each replaces one generated secret
 * so that the running stack carries on (no lost or doubled event): it writes the new value
 * atomically and relies on the readers' re-read, or on an overlap in which old and new both work.
 * The component-admin token goes first (it guards only commands); the database logins next
 * (only new sessions check a password; pools open them rarely); the Kafka SCRAM passwords last
 * (each one is proven with the broker before its file changes, see stack/kafka-rotation.ts).
 */
import { existsSync } from 'node:fs'
import pg from 'pg'
import { adminTokenPath, rotateAdminToken } from '../platform/admin-token.ts'
import type { BaseConfig } from '../platform/base-config.ts'
import {
  generatePassword,
  passwordFile,
  rotateLoginPasswords,
  scramVerifier,
  secretsDir,
  writeSecretFile,
  loginName,
  LOGIN_COMPONENTS,
} from '../database/db-logins.ts'
import { createClient } from '../platform/postgres.ts'
import { rotateScramPasswords } from '../stack/kafka-rotation.ts'

export interface RotationStep {
  readonly name: string
  readonly summary: string
  /** Rotates the secret; returns one line saying what changed (never the secret itself). */
  rotate(config: BaseConfig): Promise<string> | string
}

export const rotationSteps: readonly RotationStep[] = [
  {
    name: 'component-admin-token',
    summary: 'the token the command routes of the gateway, simulator and lander require',
    rotate(config) {
      const path = adminTokenPath(config)
      rotateAdminToken(path)
      return `new token written to ${path} (0600); components and the control service pick it up on their next command`
    },
  },
  {
    name: 'database-logins',
    summary:
      'the passwords of the components’ PostgreSQL logins (and of the secure stack’s administrator login)',
    async rotate(config) {
      const dir = secretsDir(config.paths.home)
      const names = { prefix: config.postgres.loginPrefix }
      // the PostgreSQL exporter takes its password inside its DSN at start, so it is left out here
      const components = LOGIN_COMPONENTS.filter(
        (c) => c !== 'exporter' && existsSync(passwordFile(dir, loginName(c, names))),
      )
      if (components.length === 0) return `skipped: no component login password files in ${dir}`
      const rotated = await rotateLoginPasswords({ admin: config.postgres, dir, names, components })
      const out = [
        `${rotated.map((l) => l.login).join(', ')}: new passwords set and written to ${dir} (0600)`,
      ]
      const own = config.postgres.passwordFile
      if (own !== undefined && own.startsWith(`${dir}/`)) out.push(await rotateOwnPassword(config, own))
      out.push(
        `${loginName('exporter', names)} kept (its password is in the exporter's DSN; see docs/security.md)`,
      )
      return `${out.join('; ')}; open sessions carry on, new connections read the new files`
    },
  },
  {
    name: 'kafka-scram',
    summary: 'the SCRAM-SHA-512 passwords of the Kafka service users of secure mode',
    async rotate(config) {
      if (config.kafka.security?.protocol !== 'SASL_SSL') return 'skipped: Kafka is not in secure mode here'
      const dir = secretsDir(config.paths.home)
      const rotated = await rotateScramPasswords(config.kafka, dir)
      return `${rotated.map((r) => r.user).join(', ')}: new credentials accepted by the broker, then written to ${dir}/kafka-<user>.password (0600); open connections carry on`
    },
  },
]

/** The administrator login `sretl` of the secure stack's private cluster, whose file sretl generated. */
async function rotateOwnPassword(config: BaseConfig, file: string): Promise<string> {
  const password = generatePassword()
  const client = createClient(config.postgres, { applicationName: 'sretl-rotate-secrets' })
  await client.connect()
  try {
    const { rows } = await client.query<{ login: string }>('SELECT current_user AS login')
    const login = rows[0]?.login ?? ''
    await client.query(
      `ALTER ROLE ${pg.escapeIdentifier(login)} PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`,
    )
    writeSecretFile(file, password)
    return `${login}: new password written to ${file}`
  } finally {
    await client.end().catch(() => undefined)
  }
}
