/** Business views of the panel (sales by store, rolling value, top SKUs): pending the aggregates. */
import type { FastifyInstance } from 'fastify'
import type { Pool } from '../platform/postgres.ts'

export interface BusinessDeps {
  readonly reader: Pool
}

export function installBusinessRoutes(app: FastifyInstance, _deps: BusinessDeps): void {
  app.get('/api/v1/business', () => ({
    available: false,
    message:
      'The business views read the aggregate tables of the aggregates component, which is not part of this build yet.',
  }))
}
