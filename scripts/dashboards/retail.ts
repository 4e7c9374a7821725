// Retail: what the landed sale lines say, read from PostgreSQL (sales_raw with the stores and
// products reference tables). When the aggregates of issue 5 exist (sales_hourly,
// store_rolling_1h, top_skus), these panels should read them instead of scanning sales_raw.
import { buildDashboard, datasourceVariable, PG, sqlVariable } from './grafana.ts'

/** Minor units → major units of the row's currency (ISO 4217 exponents 0, 2 or 3). */
const major = (sum: string, currency = 'r.currency') =>
  `round(${sum}::numeric / CASE WHEN ${currency} IN ('JPY','KRW','ISK','CLP','VND','XOF','XAF') THEN 1 ` +
  `WHEN ${currency} IN ('BHD','KWD','OMR','JOD','TND','IQD','LYD') THEN 1000 ELSE 100 END, 2)`
const stores = `('__all__' IN ($store) OR r.store_id IN ($store))`
const inRange = `$__timeFilter(r.event_time) AND ${stores}`

export const retailDashboard = buildDashboard({
  uid: 'sretl-retail',
  title: 'sretl / Retail',
  description:
    'Sales by store and hour, the rolling hour, top SKUs — from the landed sale lines in PostgreSQL.',
  tags: ['sretl'],
  source: PG,
  time: 'now-6h',
  refresh: '1m',
  variables: [
    datasourceVariable('pg'),
    sqlVariable('store', 'Store', 'SELECT store_id FROM stores ORDER BY store_id'),
  ],
  rows: [
    {
      title: 'At a glance',
      panels: [
        {
          title: 'Sale lines',
          type: 'stat',
          width: 6,
          description:
            'Sale lines landed with an event time in the selected range (and stores). Zero while the pipeline runs means nothing lands.',
          queries: [{ sql: `SELECT count(*) AS lines FROM sales_raw r WHERE ${inRange}` }],
        },
        {
          title: 'Stores selling',
          type: 'stat',
          width: 6,
          description:
            'Stores with at least one sale line in the range. Stores follow their local opening hours, so this changes through the day.',
          queries: [{ sql: `SELECT count(DISTINCT r.store_id) AS stores FROM sales_raw r WHERE ${inRange}` }],
        },
        {
          title: 'Return share',
          type: 'stat',
          unit: 'percentunit',
          width: 6,
          description:
            'Share of lines that are returns. A sudden rise points at a refund problem or a data issue at a till.',
          queries: [
            {
              sql: `SELECT coalesce(count(*) FILTER (WHERE r.event_type = 'RETURN')::float8 / nullif(count(*), 0), 0) AS returns FROM sales_raw r WHERE ${inRange}`,
            },
          ],
        },
        {
          title: 'Identified customers',
          type: 'stat',
          unit: 'percentunit',
          width: 6,
          description:
            'Share of lines carrying a customer_ref (a pseudonymous loyalty id, never the raw id). The rest are anonymous sales.',
          queries: [
            {
              sql: `SELECT coalesce(count(r.customer_ref)::float8 / nullif(count(*), 0), 0) AS identified FROM sales_raw r WHERE ${inRange}`,
            },
          ],
        },
      ],
    },
    {
      title: 'Sales over time',
      panels: [
        {
          title: 'Net sales per hour by currency',
          unit: 'short',
          description:
            'Net sales per UTC hour in each currency (major units; currencies are never added together). Peaks follow stores’ local lunch and evening hours.',
          queries: [
            {
              format: 'time_series',
              sql: `SELECT $__timeGroupAlias(r.event_time, '1h'), r.currency AS metric, ${major('sum(r.net_amount_minor)')} AS value FROM sales_raw r WHERE ${inRange} GROUP BY 1, 2 ORDER BY 1`,
            },
          ],
        },
        {
          title: 'Sale lines per minute by type',
          unit: 'short',
          stack: true,
          description:
            'Lines per minute: sales, returns and voids. Gaps mean nothing landed for that minute — compare with the Pipeline overview’s lag.',
          queries: [
            {
              format: 'time_series',
              sql: `SELECT $__timeGroupAlias(r.event_time, '1m'), r.event_type AS metric, count(*) AS value FROM sales_raw r WHERE ${inRange} GROUP BY 1, 2 ORDER BY 1`,
            },
          ],
        },
      ],
    },
    {
      title: 'Stores',
      panels: [
        {
          title: 'Sales by store and local hour',
          type: 'table',
          width: 14,
          height: 10,
          description:
            'Per store and hour of the store’s own time zone (half-hour offsets and daylight saving included): lines, units and net sales in the store’s currency. Newest hours first.',
          queries: [
            {
              sql:
                `SELECT r.store_id AS store, coalesce(s.name, '') AS name, ` +
                `date_trunc('hour', r.event_time AT TIME ZONE coalesce(s.time_zone, 'UTC')) AS local_hour, ` +
                `r.currency, count(*) AS lines, sum(r.quantity) AS units, ${major('sum(r.net_amount_minor)')} AS net_sales ` +
                `FROM sales_raw r LEFT JOIN stores s ON s.store_id = r.store_id WHERE ${inRange} ` +
                `GROUP BY 1, 2, 3, 4 ORDER BY local_hour DESC, net_sales DESC LIMIT 500`,
            },
          ],
        },
        {
          title: 'Rolling hour by store',
          type: 'table',
          width: 10,
          height: 10,
          description:
            'The hour ending at the range’s end, per store: lines, units and net sales. The stores leading now; a store missing from a busy list may have a till problem.',
          queries: [
            {
              sql:
                `SELECT r.store_id AS store, coalesce(s.name, '') AS name, r.currency, count(*) AS lines, ` +
                `sum(r.quantity) AS units, ${major('sum(r.net_amount_minor)')} AS net_sales ` +
                `FROM sales_raw r LEFT JOIN stores s ON s.store_id = r.store_id ` +
                `WHERE r.event_time > $__timeTo()::timestamptz - interval '1 hour' AND r.event_time <= $__timeTo()::timestamptz AND ${stores} ` +
                `GROUP BY 1, 2, 3 ORDER BY net_sales DESC LIMIT 50`,
            },
          ],
        },
      ],
    },
    {
      title: 'Products',
      panels: [
        {
          title: 'Top SKUs by units',
          type: 'table',
          width: 10,
          height: 10,
          description:
            'The 20 SKUs with the most units sold in the range (returns subtract), with how many stores sold them. Popularity is skewed by design (Zipf-like).',
          queries: [
            {
              sql:
                `SELECT r.sku, coalesce(p.name, '') AS product, r.category, sum(r.quantity) AS units, count(DISTINCT r.store_id) AS stores ` +
                `FROM sales_raw r LEFT JOIN products p ON p.sku = r.sku WHERE ${inRange} AND r.event_type <> 'VOID' ` +
                `GROUP BY 1, 2, 3 ORDER BY units DESC LIMIT 20`,
            },
          ],
        },
        {
          title: 'Top SKUs by net sales, per currency',
          type: 'table',
          width: 14,
          height: 10,
          description:
            'The 10 SKUs with the highest net sales in each currency (revenue is only comparable within a currency). Promotions show up as SKUs climbing here.',
          queries: [
            {
              sql:
                `SELECT currency, rank, sku, product, net_sales FROM (` +
                `SELECT r.currency, r.sku, coalesce(p.name, '') AS product, ${major('sum(r.net_amount_minor)')} AS net_sales, ` +
                `rank() OVER (PARTITION BY r.currency ORDER BY sum(r.net_amount_minor) DESC) AS rank ` +
                `FROM sales_raw r LEFT JOIN products p ON p.sku = r.sku WHERE ${inRange} AND r.event_type <> 'VOID' ` +
                `GROUP BY r.currency, r.sku, p.name) ranked WHERE rank <= 10 ORDER BY currency, rank`,
            },
          ],
        },
        {
          title: 'Payment methods',
          type: 'table',
          width: 24,
          height: 6,
          description:
            'Lines and share per payment method in the range. A method dropping to zero suddenly can be a payment terminal outage.',
          queries: [
            {
              sql:
                `SELECT r.payment_method, count(*) AS lines, round(count(*)::numeric / sum(count(*)) OVER (), 4) AS share ` +
                `FROM sales_raw r WHERE ${inRange} GROUP BY 1 ORDER BY lines DESC`,
            },
          ],
        },
      ],
    },
  ],
})
