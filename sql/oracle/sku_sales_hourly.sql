-- Oracle of sku_sales_hourly: per SKU and hour, the lines, units and net revenue — per store by the
-- store's local hour (keyed like sales_hourly), and for all stores of a currency by UTC hour
-- (store_id '*'). top_skus ranks these sums.
WITH s AS (
  SELECT r.store_id, r.currency, r.sku, r.quantity, r.net_amount_minor, r.event_time,
    date_trunc('hour', r.event_time AT TIME ZONE z.tz) AS local_hour_start,
    r.event_time AT TIME ZONE z.tz AS local_time
  FROM sales_raw r
  LEFT JOIN stores st ON st.store_id = r.store_id
  CROSS JOIN LATERAL (SELECT COALESCE(st.time_zone, 'UTC') AS tz) z
)
SELECT store_id, currency::text AS currency,
  event_time - (local_time - local_hour_start) AS window_start, sku,
  local_hour_start::date AS local_date, extract(hour FROM local_hour_start)::smallint AS local_hour,
  count(*)::bigint AS lines, sum(quantity)::bigint AS units, sum(net_amount_minor)::bigint AS net_minor
FROM s GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT '*', currency::text,
  date_trunc('hour', event_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', sku,
  (event_time AT TIME ZONE 'UTC')::date, extract(hour FROM event_time AT TIME ZONE 'UTC')::smallint,
  count(*)::bigint, sum(quantity)::bigint, sum(net_amount_minor)::bigint
FROM s GROUP BY 1, 2, 3, 4, 5, 6
