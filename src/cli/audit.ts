/**
 * Operator actions taken from the CLI go to audit_log like the control panel's (best effort: the
 * action has happened; a failed audit write is reported, not hidden).
 */
import type { Env } from '../platform/config.ts'
import { errorMessage } from '../platform/errors.ts'
import { createPool } from '../platform/postgres.ts'
import { actorName } from './commands/maintain.ts'
import type { Ui } from './ui.ts'

export async function auditCliAction(
  env: Env,
  postgres: Parameters<typeof createPool>[0],
  ui: Ui,
  entry: { action: string; component: string; reason: string; before: string; after: string },
): Promise<void> {
  const pool = createPool(postgres, { applicationName: 'sretl-cli', role: 'sretl_writer', max: 1 })
  try {
    await pool.query(
      `INSERT INTO audit_log (actor, role, action, target, before, after, result, detail)
       VALUES ($1, 'operator', $2, $3, $4, $5, 'ok', $6)`,
      [
        `cli:${actorName(env.USER)}`,
        entry.action,
        entry.component,
        JSON.stringify({ state: entry.before }),
        JSON.stringify({ state: entry.after }),
        JSON.stringify({ reason: entry.reason }),
      ],
    )
  } catch (err) {
    ui.warn(`the ${entry.action} is done, but writing it to audit_log failed: ${errorMessage(err)}`)
  } finally {
    await pool.end()
  }
}
