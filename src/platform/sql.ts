/** The part of pg's Client/Pool/PoolClient that plain queries need, so helpers accept any of them. */
import type { QueryResult, QueryResultRow } from 'pg'

export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>
}
