import { SretlError } from '../../platform/errors.ts'
import type { AuditRow } from '../../control/audit.ts'
import { defineCommand } from '../command.ts'
import { callControl, controlAccess, expectOk, localCommander } from '../control-client.ts'

export const auditCommand = defineCommand({
  name: 'audit',
  summary: 'List the audit trail: every operator command, who gave it, from where, before → after, result.',
  description:
    'Reads audit_log newest first, through the control service when it answers (any signed-in role may), else from ' +
    'PostgreSQL directly (DATABASE_URL).',
  options: {
    limit: {
      type: 'string',
      short: 'n',
      valueName: 'n',
      description: 'How many rows (default 20, at most 500).',
    },
    action: {
      type: 'string',
      valueName: 'action',
      description:
        'Only this action (pause, resume, rate.set, intake.stop, limits.set, dlq.replay, session.login …).',
    },
    actor: { type: 'string', valueName: 'user', description: 'Only this user.' },
    result: { type: 'string', valueName: 'ok|refused|failed', description: 'Only this result.' },
    json: { type: 'boolean', description: 'Print the rows as JSON.' },
  },
  examples: ['sretl audit', 'sretl audit -n 100 --action rate.set', 'sretl audit --result refused --json'],
  async run({ env, ui, values }) {
    const limit = values.limit === undefined ? 20 : Number(values.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new SretlError('USAGE', '--limit must be a whole number from 1 to 500')
    }
    const result = typeof values.result === 'string' ? values.result : undefined
    if (result !== undefined && !['ok', 'refused', 'failed'].includes(result)) {
      throw new SretlError('USAGE', '--result must be ok, refused or failed')
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
    const access = controlAccess(env)
    const query = new URLSearchParams({ limit: String(limit) })
    for (const key of ['action', 'actor', 'result'] as const) {
      const v = str(values[key])
      if (v) query.set(key, v)
    }
    const answer = await callControl(access, 'GET', `/api/v1/audit?${query.toString()}`)
    let rows: AuditRow[]
    if (answer) {
      rows = expectOk(answer, ui).rows as AuditRow[]
    } else {
      const local = await localCommander(access)
      try {
        rows = await local.audit.list({
          limit,
          action: str(values.action),
          actor: str(values.actor),
          result: result as AuditRow['result'] | undefined,
        })
      } catch (err) {
        throw new SretlError(
          'PG_UNREACHABLE',
          `neither the control service nor PostgreSQL answered: ${(err as Error).message}`,
        )
      } finally {
        await local.close()
      }
    }
    if (values.json === true) {
      ui.line(JSON.stringify(rows, null, 2))
      return
    }
    if (rows.length === 0) {
      ui.line('No audit entries.')
      return
    }
    ui.table(
      rows.map((r) => [
        r.at.slice(0, 19).replace('T', ' '),
        `${r.actor} (${r.role})`,
        r.action,
        r.target,
        r.result,
        change(r),
        r.sourceIp ?? '-',
      ]),
      ['when (UTC)', 'who', 'action', 'target', 'result', 'before → after / why', 'from'],
    )
  },
})

function compact(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (typeof value !== 'object') return typeof value === 'string' ? value : JSON.stringify(value)
  if ('state' in value && typeof value.state === 'string') return value.state
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 1) return compact(entries[0]?.[1])
  return entries.map(([k, v]) => `${k} ${compact(v)}`).join(', ')
}

/** The state change and, when the command gave one, its reason ("why"). */
export function change(r: AuditRow): string {
  const detail = (r.detail ?? {}) as Record<string, unknown>
  if (r.result !== 'ok' && typeof detail.code === 'string') {
    return `${detail.code}: ${(typeof detail.message === 'string' ? detail.message : '').slice(0, 80)}`
  }
  const why = typeof detail.reason === 'string' && detail.reason !== '' ? detail.reason : undefined
  if ((r.before ?? null) === null && (r.after ?? null) === null) return why ?? ''
  const transition = `${compact(r.before)} → ${compact(r.after)}`
  return why ? `${transition} (why: ${why})` : transition
}
