-- Oracle of sales_agg_minute: the per-store, per-currency, per-UTC-minute measures recomputed
-- from sales_raw (docs/aggregates.md defines each measure). Runs as is in psql; `sretl verify`
-- compares it with the table.
SELECT
  r.store_id,
  r.currency::text AS currency,
  date_trunc('minute', r.event_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS window_start,
  (date_trunc('minute', r.event_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + interval '1 minute' AS window_end,
  count(*)::bigint AS lines,
  sum(r.quantity)::bigint AS units,
  count(*) FILTER (WHERE r.line_no = 1)::bigint AS receipts,
  COALESCE(sum(r.quantity::bigint * r.unit_price_minor) FILTER (WHERE r.event_type = 'SALE'), 0)::bigint AS gross_minor,
  COALESCE(sum(r.discount_minor) FILTER (WHERE r.event_type = 'SALE'), 0)::bigint AS discount_minor,
  COALESCE(sum(-r.net_amount_minor) FILTER (WHERE r.event_type <> 'SALE'), 0)::bigint AS returns_minor,
  sum(r.net_amount_minor)::bigint AS net_minor
FROM sales_raw r
GROUP BY 1, 2, 3
