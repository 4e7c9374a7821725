/**
 * The audit trail (table audit_log, migration 0005): every command — who, as what role, when,
 * from which address and user agent, the state before and after, and whether it was applied
 * (ok), refused by a rule (refused) or failed on the way (failed). The writer role may only
 * INSERT; reading is the reader role's.
 */
import type { Pool } from '../platform/postgres.ts'

export type AuditResult = 'ok' | 'refused' | 'failed'

export interface AuditEntry {
  readonly actor: string
  readonly role: string
  readonly action: string
  readonly target: string
  readonly sourceIp?: string | undefined
  readonly userAgent?: string | undefined
  readonly before?: unknown
  readonly after?: unknown
  readonly result: AuditResult
  readonly detail?: unknown
}

export interface AuditRow extends AuditEntry {
  readonly id: number
  readonly at: string
}

export interface AuditQuery {
  readonly limit: number
  /** Only rows with a smaller id (the next page). */
  readonly beforeId?: number | undefined
  readonly action?: string | undefined
  readonly target?: string | undefined
  readonly actor?: string | undefined
  readonly result?: AuditResult | undefined
}

export interface AuditLog {
  write(entry: AuditEntry): Promise<number>
  list(query: AuditQuery): Promise<AuditRow[]>
  /** The newest row of an action with result ok (e.g. the last limits change). */
  latestOk(action: string): Promise<AuditRow | undefined>
  /** Dead-letter positions ("partition:offset") replayed in the last `days` days. */
  replayedPositions(days: number): Promise<string[]>
  /**
   * Per component, the newest applied pause, resume, intake stop or intake resume that names it
   * (what survives a restart, ADR 0070).
   */
  latestFlowPerTarget(): Promise<Map<string, AuditRow>>
  /** True when a row already records the component command with this id (X-Sretl-Command-Id). */
  hasCommand(commandId: string): Promise<boolean>
}

const MAX_USER_AGENT = 300

interface DbRow {
  id: string
  at: Date
  actor: string
  role: string
  action: string
  target: string
  source_ip: string | null
  user_agent: string | null
  before: unknown
  after: unknown
  result: AuditResult
  detail: unknown
}

const COLUMNS =
  'id, at, actor, role, action, target, host(source_ip) AS source_ip, user_agent, before, after, result, detail'

function toRow(r: DbRow): AuditRow {
  return {
    id: Number(r.id),
    at: r.at.toISOString(),
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    sourceIp: r.source_ip ?? undefined,
    userAgent: r.user_agent ?? undefined,
    before: r.before,
    after: r.after,
    result: r.result,
    detail: r.detail,
  }
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value))

/** An address PostgreSQL's inet takes (IPv4-mapped IPv6 unwrapped), or null. */
export function inetOrNull(address: string | undefined): string | null {
  if (!address) return null
  const plain = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
  return /^[0-9a-fA-F:.]+$/.test(plain) ? plain : null
}

export function createAuditLog(pools: { writer: Pool; reader: Pool }): AuditLog {
  return {
    async write(entry) {
      const result = await pools.writer.query<{ id: string }>(
        `INSERT INTO audit_log (actor, role, action, target, source_ip, user_agent, before, after, result, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          entry.actor,
          entry.role,
          entry.action,
          entry.target,
          inetOrNull(entry.sourceIp),
          entry.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
          json(entry.before),
          json(entry.after),
          entry.result,
          json(entry.detail),
        ],
      )
      return Number(result.rows[0]?.id)
    },
    async list(query) {
      const where: string[] = []
      const params: unknown[] = []
      const add = (sql: string, value: unknown): void => {
        params.push(value)
        where.push(sql.replace('?', `$${params.length}`))
      }
      if (query.beforeId !== undefined) add('id < ?', query.beforeId)
      if (query.action) add('action = ?', query.action)
      if (query.target) add('target = ?', query.target)
      if (query.actor) add('actor = ?', query.actor)
      if (query.result) add('result = ?', query.result)
      params.push(query.limit)
      const result = await pools.reader.query<DbRow>(
        `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT $${params.length}`,
        params,
      )
      return result.rows.map(toRow)
    },
    async latestOk(action) {
      const result = await pools.reader.query<DbRow>(
        `SELECT ${COLUMNS} FROM audit_log WHERE action = $1 AND result = 'ok' ORDER BY id DESC LIMIT 1`,
        [action],
      )
      const row = result.rows[0]
      return row ? toRow(row) : undefined
    },
    async hasCommand(commandId) {
      const result = await pools.reader.query(
        `SELECT 1 FROM audit_log WHERE detail->>'commandId' = $1 OR detail->'commandIds' ? $1 LIMIT 1`,
        [commandId],
      )
      return result.rows.length > 0
    },
    async replayedPositions(days) {
      const result = await pools.reader.query<{ key: string }>(
        `SELECT jsonb_array_elements_text(detail->'replayed') AS key FROM audit_log
          WHERE action = 'dlq.replay' AND result IN ('ok', 'failed')
            AND at > now() - make_interval(days => $1) AND jsonb_typeof(detail->'replayed') = 'array'`,
        [days],
      )
      return result.rows.map((r) => r.key)
    },
    async latestFlowPerTarget() {
      const result = await pools.reader.query<DbRow & { component: string }>(
        `SELECT DISTINCT ON (component) component, ${COLUMNS}
           FROM audit_log, unnest(string_to_array(target, ',')) AS component
          WHERE action IN ('pause', 'resume', 'intake.stop', 'intake.resume') AND result = 'ok'
          ORDER BY component, id DESC`,
      )
      return new Map(result.rows.map((r) => [r.component, toRow(r)]))
    },
  }
}
