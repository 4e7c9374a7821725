/**
 * Proves dashboards against live data sources: every panel's query, substituted as Grafana would,
 * runs against Prometheus (instant query) or PostgreSQL (in a read-only transaction as
 * sretl_reader). A query fails on any error, and on an empty result when data is required.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  extractQueries,
  type Dashboard,
  type DashboardQuery,
  type ExtractOptions,
} from './grafana-dashboards.ts'
import { instantQuery } from './prometheus-api.ts'
import type { Queryable } from '../platform/sql.ts'

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../deploy/grafana/dashboards/', import.meta.url))

export function loadDashboards(dir = DASHBOARDS_DIR): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Dashboard)
}

export interface QueryProof {
  readonly query: DashboardQuery
  readonly ok: boolean
  /** Series (Prometheus) or rows (SQL) returned. */
  readonly results: number
  readonly error?: string
}

export interface ProveOptions extends ExtractOptions {
  readonly prometheusUrl?: string
  /** A connection for the PostgreSQL panels; without it they are not run. */
  readonly db?: Queryable
  /** Fail a query that returns nothing (a live stack with traffic); else only errors fail. */
  readonly requireData: boolean
  readonly timeoutMs?: number
}

export async function proveDashboards(
  dashboards: readonly Dashboard[],
  options: ProveOptions,
): Promise<QueryProof[]> {
  const queries = dashboards.flatMap((d) => extractQueries(d, options))
  const proofs: QueryProof[] = []
  for (const query of queries) {
    if (query.kind === 'prometheus') {
      if (!options.prometheusUrl) continue
      const outcome = await instantQuery(options.prometheusUrl, query.query, {
        timeoutMs: options.timeoutMs ?? 10_000,
      })
      proofs.push(
        judge(query, outcome.ok ? outcome.series : 0, outcome.ok ? undefined : outcome.error, options),
      )
    } else {
      if (!options.db) continue
      const outcome = await runSql(options.db, query.query, options.timeoutMs ?? 10_000)
      proofs.push(judge(query, outcome.rows, outcome.error, options))
    }
  }
  return proofs
}

function judge(
  query: DashboardQuery,
  results: number,
  error: string | undefined,
  options: ProveOptions,
): QueryProof {
  if (error !== undefined) return { query, ok: false, results, error }
  if (options.requireData && results === 0) return { query, ok: false, results, error: 'no data' }
  return { query, ok: true, results }
}

async function runSql(
  db: Queryable,
  sql: string,
  timeoutMs: number,
): Promise<{ rows: number; error?: string }> {
  try {
    await db.query('BEGIN READ ONLY')
    await db.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`)
    await db.query('SET LOCAL ROLE sretl_reader')
    const result = await db.query(sql)
    return { rows: result.rows.length }
  } catch (err) {
    return { rows: 0, error: (err as Error).message }
  } finally {
    await db.query('ROLLBACK').catch(() => undefined)
  }
}

/** One line per failed proof: "dashboard / panel / refId: error — query". */
export function describeFailures(proofs: readonly QueryProof[]): string[] {
  return proofs
    .filter((p) => !p.ok)
    .map(
      (p) =>
        `${p.query.dashboard} / ${p.query.panel} / ${p.query.refId}: ${p.error ?? 'failed'} — ${p.query.query}`,
    )
}
