import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { redactUrl } from '../../platform/logger.ts'
import { checkPostgres, createClient } from '../../platform/postgres.ts'
import { loadReferenceData, type ReferenceLoad } from '../../database/reference-data-loader.ts'
import { defineCommand } from '../command.ts'
import { formatCount } from '../ui.ts'

export const seedCommand = defineCommand({
  name: 'seed',
  summary: 'Load the chain’s reference data (200 stores, 5,000 products) into the database; idempotent.',
  description:
    'The stores and products are generated from a fixed seed, the same ones the simulator sells from, so the ' +
    'database, the simulator and the control panel agree on every id. Rows that already match are not touched; ' +
    '`sretl migrate` and `sretl up` load them too. Needs the schema (run `sretl migrate` first).',
  examples: ['sretl seed', 'DATABASE_URL=postgres://admin@db:5432/retail sretl seed'],
  async run({ env, ui }) {
    const config = loadConfig(env, baseConfigSection)
    await checkPostgres(config.postgres, config.postgres.connectTimeoutMs)
    const client = createClient(config.postgres, { applicationName: 'sretl-seed', role: 'sretl_owner' })
    await client.connect()
    try {
      const load = await loadReferenceData(client)
      ui.line(`${redactUrl(config.postgres.url)}: ${describeReferenceLoad(load)}`)
    } finally {
      await client.end()
    }
  },
})

export function describeReferenceLoad(load: ReferenceLoad): string {
  const part = (name: string, p: ReferenceLoad['stores']): string =>
    `${formatCount(p.total)} ${name} (${p.written === 0 ? 'all up to date' : `${formatCount(p.written)} written`})`
  return `Reference data: ${part('stores', load.stores)}, ${part('products', load.products)}.`
}
