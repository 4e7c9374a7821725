-- The landed sale lines, one row per event, partitioned by UTC day of event_time.
-- Columns follow the sale_line v1 contract; money is always integer minor units.
CREATE TABLE sales_raw (
  event_id             uuid NOT NULL,
  event_type           text NOT NULL CHECK (event_type IN ('SALE', 'RETURN', 'VOID')),
  event_time           timestamptz NOT NULL,
  store_id             text NOT NULL,
  register_id          text NOT NULL,
  receipt_id           text NOT NULL,
  line_no              integer NOT NULL CHECK (line_no >= 1),
  sku                  text NOT NULL,
  category             text NOT NULL,
  quantity             integer NOT NULL,
  unit_price_minor     bigint NOT NULL CHECK (unit_price_minor >= 0),
  discount_minor       bigint NOT NULL,
  tax_minor            bigint NOT NULL,
  net_amount_minor     bigint NOT NULL,
  currency             char(3) NOT NULL,
  payment_method       text NOT NULL,
  promo_id             text,
  customer_ref         text,
  original_receipt_id  text,
  ingested_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, event_time)
) PARTITION BY RANGE (event_time);

-- Rows outside every daily partition land here (never a "no partition for row" failure);
-- they are counted, alerted on, and moved out when their day's partition is created.
CREATE TABLE sales_raw_default PARTITION OF sales_raw DEFAULT;

GRANT INSERT ON sales_raw TO sretl_writer;

-- Creates the daily partitions for [from_day, to_day] (UTC days) that are missing, moving any
-- rows of those days out of the default partition first (PostgreSQL refuses to create a
-- partition while the default partition holds rows that belong to it).
CREATE FUNCTION sretl_ensure_sales_raw_partitions(from_day date, to_day date)
RETURNS TABLE (partition_name text, day date, moved_rows bigint)
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  lo timestamptz;
  hi timestamptz;
  n bigint;
BEGIN
  IF to_day < from_day THEN
    RAISE EXCEPTION 'to_day % is before from_day %', to_day, from_day;
  END IF;
  d := from_day;
  WHILE d <= to_day LOOP
    partition_name := 'sales_raw_p' || to_char(d, 'YYYYMMDD');
    IF to_regclass(partition_name) IS NULL THEN
      lo := (d::timestamp AT TIME ZONE 'UTC');
      hi := ((d + 1)::timestamp AT TIME ZONE 'UTC');
      CREATE TEMP TABLE IF NOT EXISTS sretl_moving (LIKE sales_raw INCLUDING DEFAULTS) ON COMMIT DROP;
      TRUNCATE sretl_moving;
      WITH moved AS (
        DELETE FROM sales_raw_default WHERE event_time >= lo AND event_time < hi RETURNING *
      )
      INSERT INTO sretl_moving SELECT * FROM moved;
      GET DIAGNOSTICS n = ROW_COUNT;
      EXECUTE format('CREATE TABLE %I PARTITION OF sales_raw FOR VALUES FROM (%L) TO (%L)', partition_name, lo, hi);
      INSERT INTO sales_raw SELECT * FROM sretl_moving;
      day := d;
      moved_rows := n;
      RETURN NEXT;
    END IF;
    d := d + 1;
  END LOOP;
END
$$;
