/** The business views of the panel over HTTP (docs/api/control.md): any signed-in role reads them. */
import type { FastifyInstance } from 'fastify'
import type { Pool } from '../../platform/postgres.ts'
import { callerOf, sendError } from '../auth/auth.ts'
import { createBusiness } from './business.ts'

export interface BusinessDeps {
  readonly reader: Pool
  readonly clock?: () => Date
}

const STORE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,31}$/

export function installBusinessRoutes(app: FastifyInstance, deps: BusinessDeps): void {
  const business = createBusiness(deps.reader)
  const clock = deps.clock ?? (() => new Date())

  app.get<{ Querystring: { store?: string; at?: string } }>(
    '/api/v1/business',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      callerOf(request)
      const { store, at } = request.query
      if (store !== undefined && !STORE_ID.test(store)) {
        return sendError(reply, 'REQUEST_INVALID', 'store must be a store id such as S0001')
      }
      const asOf = at === undefined ? clock() : new Date(at)
      if (Number.isNaN(asOf.getTime())) {
        return sendError(reply, 'REQUEST_INVALID', 'at must be a date and time such as 2026-11-30T12:00:00Z')
      }
      const view = await business.view(asOf, store)
      if (view === null) return sendError(reply, 'STORE_NOT_FOUND', `no store ${store} in the stores table`)
      return view
    },
  )
}
