-- sretl:run-as session
-- The roles each component's own login is given (ADR 0051): narrower than sretl_writer and
-- sretl_reader, which stay for the CLI and for a single DATABASE_URL. Like 0001, roles are
-- cluster-wide and may already exist (another database, a concurrent migrate).
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['sretl_landing', 'sretl_maintainer', 'sretl_auditor', 'sretl_monitor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END
$$;

-- the login that migrates keeps acting as any of them (a single DATABASE_URL runs everything)
GRANT sretl_landing TO CURRENT_USER;
GRANT sretl_maintainer TO CURRENT_USER;
GRANT sretl_auditor TO CURRENT_USER;
GRANT sretl_monitor TO CURRENT_USER;

-- what follows is owned by, and granted as, the owner
SET LOCAL ROLE sretl_owner;

GRANT USAGE ON SCHEMA public TO sretl_landing, sretl_maintainer, sretl_auditor, sretl_monitor;

-- sretl_landing: the lander's landing transaction. It writes sales_raw, the offsets and the
-- aggregates, and reads what it writes plus the reference data; not audit_log.
GRANT SELECT ON stores, products, sales_raw, sales_raw_default, consumer_offsets, sales_agg_minute,
  sales_hourly, store_rolling_1h, sku_sales_hourly, sku_sales_deltas, top_skus,
  agg_partition_watermarks, agg_state TO sretl_landing;
GRANT INSERT ON sales_raw TO sretl_landing;
GRANT INSERT, UPDATE ON consumer_offsets TO sretl_landing;
GRANT INSERT, UPDATE ON sales_agg_minute, sales_hourly, store_rolling_1h, sku_sales_hourly, top_skus,
  agg_partition_watermarks, agg_state TO sretl_landing;
GRANT INSERT, DELETE ON sku_sales_deltas TO sretl_landing;
DO $$
BEGIN
  -- staging tables for COPY are temporary tables
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO sretl_landing', current_database());
END
$$;

-- sretl_auditor: appends to audit_log (RETURNING id needs that column) and nothing else.
GRANT INSERT ON audit_log TO sretl_auditor;
GRANT SELECT (id) ON audit_log TO sretl_auditor;

-- sretl_monitor: the PostgreSQL exporter's one query of our own (rows in the default partition,
-- which partitions exist); everything else it reads comes with pg_monitor.
GRANT SELECT ON sales_raw_default TO sretl_monitor;

-- sretl_maintainer: partition maintenance without owning sales_raw. Creating and dropping a
-- partition needs the table's owner, so the two steps are owner functions (SECURITY DEFINER,
-- fixed search_path) that take days, not SQL; an audit row for either is written by the same
-- owner code path and can name no other action.
-- hard cap: one call may not create more than ~10 years of partitions
CREATE FUNCTION sretl_maintain_create_partitions(from_day date, to_day date)
RETURNS TABLE (partition_name text, day date, moved_rows bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF to_day - from_day > 3660 THEN
    RAISE EXCEPTION 'at most 3661 days per call (asked % to %)', from_day, to_day;
  END IF;
  RETURN QUERY SELECT * FROM sretl_ensure_sales_raw_partitions(from_day, to_day);
END
$$;

-- Detaches and drops one daily partition whose whole day is before `cutoff`, which must itself
-- be at least one day in the past: the maintainer can enforce a retention, never drop today.
-- Returns the planner's row estimate taken just before the drop.
CREATE FUNCTION sretl_maintain_drop_partition(partition regclass, cutoff date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  bound text;
  upper_day date;
  estimate bigint;
BEGIN
  IF cutoff > (now() AT TIME ZONE 'UTC')::date - 1 THEN
    RAISE EXCEPTION 'the cutoff % must be before yesterday', cutoff USING ERRCODE = '22023';
  END IF;
  SELECT pg_get_expr(c.relpartbound, c.oid), greatest(c.reltuples, 0)::bigint
    INTO bound, estimate
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'sales_raw'::regclass AND i.inhrelid = partition;
  IF bound IS NULL OR bound = 'DEFAULT' THEN
    RAISE EXCEPTION '% is not a daily partition of sales_raw', partition USING ERRCODE = '42501';
  END IF;
  upper_day := (substring(bound FROM 'TO \(''([^'']+)''\)')::timestamptz AT TIME ZONE 'UTC')::date;
  IF upper_day IS NULL OR upper_day > cutoff THEN
    RAISE EXCEPTION '% is not entirely before %', partition, cutoff USING ERRCODE = '42501';
  END IF;
  EXECUTE format('ALTER TABLE sales_raw DETACH PARTITION %s', partition);
  EXECUTE format('DROP TABLE %s', partition);
  RETURN estimate;
END
$$;

-- The maintenance audit rows: only partition actions, written as the owner.
CREATE FUNCTION sretl_maintain_audit(actor text, action text, target text, detail jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF action NOT IN ('partition.create', 'partition.drop') THEN
    RAISE EXCEPTION 'not a maintenance action: %', action USING ERRCODE = '42501';
  END IF;
  INSERT INTO audit_log (actor, role, action, target, result, detail)
  VALUES (left(actor, 200), 'sretl_owner', action, left(target, 200), 'ok', detail);
END
$$;

-- the function of 0003 runs with its caller's rights; only the owner and the functions above call it
REVOKE ALL ON FUNCTION sretl_ensure_sales_raw_partitions(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION sretl_maintain_create_partitions(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION sretl_maintain_drop_partition(regclass, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION sretl_maintain_audit(text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sretl_maintain_create_partitions(date, date),
  sretl_maintain_drop_partition(regclass, date), sretl_maintain_audit(text, text, text, jsonb)
  TO sretl_maintainer;
-- what the maintenance run reads: which days sit in the default partition, and how many rows
GRANT SELECT ON sales_raw_default TO sretl_maintainer;

RESET ROLE;
