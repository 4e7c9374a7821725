-- Oracle of sales_hourly: the measures per store, per currency, per hour of the store's local
-- time (stores.time_zone; UTC for a store not in the table). A local hour is keyed by the UTC
-- instant it starts: event_time minus the time since the local hour began — never by turning
-- a local time back into UTC, which would merge the two hours of a 25-hour day.
WITH s AS (
  SELECT r.*, l.local_time, date_trunc('hour', l.local_time) AS local_hour_start, z.tz
  FROM sales_raw r
  LEFT JOIN stores st ON st.store_id = r.store_id
  CROSS JOIN LATERAL (SELECT COALESCE(st.time_zone, 'UTC') AS tz) z
  CROSS JOIN LATERAL (SELECT r.event_time AT TIME ZONE z.tz AS local_time) l
)
SELECT
  store_id,
  currency::text AS currency,
  event_time - (local_time - local_hour_start) AS window_start,
  event_time - (local_time - local_hour_start) + interval '1 hour' AS window_end,
  tz AS time_zone,
  local_hour_start::date AS local_date,
  extract(hour FROM local_hour_start)::smallint AS local_hour,
  (extract(epoch FROM (local_time - (event_time AT TIME ZONE 'UTC'))) / 60)::smallint AS utc_offset_minutes,
  count(*)::bigint AS lines,
  sum(quantity)::bigint AS units,
  count(*) FILTER (WHERE line_no = 1)::bigint AS receipts,
  COALESCE(sum(quantity::bigint * unit_price_minor) FILTER (WHERE event_type = 'SALE'), 0)::bigint AS gross_minor,
  COALESCE(sum(discount_minor) FILTER (WHERE event_type = 'SALE'), 0)::bigint AS discount_minor,
  COALESCE(sum(-net_amount_minor) FILTER (WHERE event_type <> 'SALE'), 0)::bigint AS returns_minor,
  sum(net_amount_minor)::bigint AS net_minor
FROM s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
