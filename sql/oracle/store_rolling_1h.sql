-- Oracle of store_rolling_1h: for every minute boundary up to the rolling horizon
-- (agg_state 'rolling_horizon': the table holds every boundary up to it), the measures of the
-- 60 minutes [boundary - 1 h, boundary) per store and currency. A boundary has a row when a sale
-- line falls in [boundary - 61 min, boundary): the 60 minutes of its window, plus one more so
-- that the first boundary whose window is empty again shows zeros instead of nothing.
WITH horizon AS (
  SELECT value FROM agg_state WHERE name = 'rolling_horizon'
), minutes AS (
  SELECT
    r.store_id,
    r.currency,
    date_trunc('minute', r.event_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS minute,
    count(*)::bigint AS lines,
    sum(r.quantity)::bigint AS units,
    count(*) FILTER (WHERE r.line_no = 1)::bigint AS receipts,
    COALESCE(sum(r.quantity::bigint * r.unit_price_minor) FILTER (WHERE r.event_type = 'SALE'), 0)::bigint AS gross_minor,
    COALESCE(sum(r.discount_minor) FILTER (WHERE r.event_type = 'SALE'), 0)::bigint AS discount_minor,
    COALESCE(sum(-r.net_amount_minor) FILTER (WHERE r.event_type <> 'SALE'), 0)::bigint AS returns_minor,
    sum(r.net_amount_minor)::bigint AS net_minor
  FROM sales_raw r
  GROUP BY 1, 2, 3
), boundaries AS (
  SELECT DISTINCT m.store_id, m.currency, m.minute + k * interval '1 minute' AS boundary
  FROM minutes m CROSS JOIN generate_series(1, 61) AS k, horizon h
  WHERE m.minute + k * interval '1 minute' <= h.value
)
SELECT
  b.store_id,
  b.currency::text AS currency,
  b.boundary AS window_end,
  b.boundary - interval '1 hour' AS window_start,
  COALESCE(sum(m.lines), 0)::bigint AS lines,
  COALESCE(sum(m.units), 0)::bigint AS units,
  COALESCE(sum(m.receipts), 0)::bigint AS receipts,
  COALESCE(sum(m.gross_minor), 0)::bigint AS gross_minor,
  COALESCE(sum(m.discount_minor), 0)::bigint AS discount_minor,
  COALESCE(sum(m.returns_minor), 0)::bigint AS returns_minor,
  COALESCE(sum(m.net_minor), 0)::bigint AS net_minor
FROM boundaries b
LEFT JOIN minutes m
  ON m.store_id = b.store_id AND m.currency = b.currency
  AND m.minute >= b.boundary - interval '1 hour' AND m.minute < b.boundary
GROUP BY 1, 2, 3, 4
