import { landerOwnSection } from '../../lander/config.ts'
import { rebuildAggregates } from '../../aggregates/rebuild.ts'
import { baseConfigSection } from '../../platform/base-config.ts'
import { combineSections, loadConfig } from '../../platform/config.ts'
import { assertGroupIdle, createAdmin } from '../../platform/kafka.ts'
import { createPool } from '../../platform/postgres.ts'
import { defineCommand } from '../command.ts'
import { formatCount } from '../ui.ts'
import { actorName } from './maintain.ts'

export const rebuildAggregatesCommand = defineCommand({
  name: 'rebuild-aggregates',
  summary: 'Recompute the aggregate tables from sales_raw (after an incident); the landers republish them.',
  description:
    'Refills sales_agg_minute and sales_hourly from sales_raw with the oracle’s SQL (sql/oracle/) and queues the ' +
    'per-SKU sums as deltas, in one transaction; empties store_rolling_1h, sku_sales_hourly and top_skus and forgets ' +
    'the rolling horizon; the next publish cycles of the landers fold, derive and publish every row with a new version (final again once the ' +
    'watermark passes them). Use it when `sretl verify` reports differences, or after running the landers with ' +
    'AGGREGATES_ENABLED=false. It refuses while a lander of the group runs: stop them first. Written to audit_log.',
  maxPositionals: 0,
  examples: ['sretl rebuild-aggregates && sretl up'],
  async run({ env, ui }) {
    const config = loadConfig(env, combineSections({ base: baseConfigSection, lander: landerOwnSection }))
    const group = config.lander.groupId
    const admin = createAdmin(config.base.kafka, 'rebuild-aggregates')
    try {
      await assertGroupIdle(admin, group)
    } finally {
      await admin.close().catch(() => undefined)
    }
    const pool = createPool(config.base.postgres, {
      applicationName: 'sretl-rebuild',
      role: 'sretl_owner',
      max: 1,
    })
    try {
      const result = await rebuildAggregates(pool)
      ui.line(
        `Rebuilt from sales_raw: ${Object.entries(result.rows)
          .map(([t, n]) => `${t} ${formatCount(n)} rows`)
          .join(', ')}; store_rolling_1h and top_skus follow with the landers' next publish cycles.`,
      )
      await pool.query(
        `INSERT INTO audit_log (actor, role, action, target, before, after, result, detail)
         VALUES ($1, 'operator', 'aggregates.rebuild', 'aggregates', NULL, $2, 'ok', $3)`,
        [
          `cli:${actorName(env.USER)}`,
          JSON.stringify(result.rows),
          JSON.stringify({ via: 'sretl rebuild-aggregates' }),
        ],
      )
    } finally {
      await pool.end()
    }
  },
})
