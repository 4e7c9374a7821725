-- Oracle of top_skus: per hour, the 10 SKUs with the highest net revenue (ties: more units
-- first, then the SKU id in byte order), in two scopes — per store by the store's local hour
-- (keyed like sales_hourly), and overall per currency by UTC hour (store_id '*'; amounts in
-- different currencies are never added). Name and category come from products.
WITH s AS (
  SELECT r.store_id, r.currency, r.sku, r.quantity, r.net_amount_minor, r.event_time,
    date_trunc('hour', r.event_time AT TIME ZONE z.tz) AS local_hour_start,
    r.event_time AT TIME ZONE z.tz AS local_time
  FROM sales_raw r
  LEFT JOIN stores st ON st.store_id = r.store_id
  CROSS JOIN LATERAL (SELECT COALESCE(st.time_zone, 'UTC') AS tz) z
), sums AS (
  SELECT 'store' AS scope, store_id, currency,
    event_time - (local_time - local_hour_start) AS window_start,
    local_hour_start::date AS local_date, extract(hour FROM local_hour_start)::smallint AS local_hour,
    sku, count(*)::bigint AS lines, sum(quantity)::bigint AS units, sum(net_amount_minor)::bigint AS net_minor
  FROM s GROUP BY 1, 2, 3, 4, 5, 6, 7
  UNION ALL
  SELECT 'all', '*', currency,
    date_trunc('hour', event_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
    (event_time AT TIME ZONE 'UTC')::date, extract(hour FROM event_time AT TIME ZONE 'UTC')::smallint,
    sku, count(*)::bigint, sum(quantity)::bigint, sum(net_amount_minor)::bigint
  FROM s GROUP BY 1, 2, 3, 4, 5, 6, 7
), ranked AS (
  SELECT sums.*, row_number() OVER (
    PARTITION BY scope, store_id, currency, window_start
    ORDER BY net_minor DESC, units DESC, sku COLLATE "C") AS rank
  FROM sums
)
SELECT
  r.scope,
  r.store_id,
  r.currency::text AS currency,
  r.window_start,
  r.rank::smallint AS rank,
  r.window_start + interval '1 hour' AS window_end,
  r.local_date,
  r.local_hour,
  r.sku,
  p.name,
  p.category,
  r.lines,
  r.units,
  r.net_minor
FROM ranked r
LEFT JOIN products p ON p.sku = r.sku
WHERE r.rank <= 10
