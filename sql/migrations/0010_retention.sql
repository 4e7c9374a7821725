-- Retention by default (issue #14, ADR 0055): what `sretl maintain` and the lander's schedule may
-- remove besides sales_raw's daily partitions, as owner functions the maintainer login calls.
-- Each function refuses a cut-off so recent that it would remove what is still in use, and
-- writes its own audit row in the same transaction, so nothing is removed without a trace.

-- The audit log: rows older than `cutoff`, which must be at least 30 days ago (a maintainer can
-- age the log out, never erase what operators did this month).
CREATE FUNCTION sretl_maintain_prune_audit(actor text, cutoff timestamptz)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  removed bigint;
BEGIN
  IF cutoff > now() - interval '30 days' THEN
    RAISE EXCEPTION 'the audit log keeps at least 30 days (asked to remove before %)', cutoff
      USING ERRCODE = '22023';
  END IF;
  DELETE FROM audit_log WHERE at < cutoff;
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed > 0 THEN
    INSERT INTO audit_log (actor, role, action, target, result, detail)
    VALUES (left(actor, 200), 'sretl_owner', 'retention.audit_log', 'audit_log', 'ok',
            jsonb_build_object('before', cutoff, 'removedRows', removed));
  END IF;
  RETURN removed;
END
$$;

-- The aggregate tables: windows that started before `cutoff`, which must be at least two days
-- ago (never a window still open or inside its grace period). sku_sales_deltas holds only
-- changes the next publish cycle consumes and is left alone.
CREATE FUNCTION sretl_maintain_prune_aggregates(actor text, cutoff timestamptz)
RETURNS TABLE (table_name text, removed_rows bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  t text;
  n bigint;
  summary jsonb := '{}'::jsonb;
BEGIN
  IF cutoff > now() - interval '2 days' THEN
    RAISE EXCEPTION 'aggregates keep at least 2 days (asked to remove before %)', cutoff
      USING ERRCODE = '22023';
  END IF;
  FOREACH t IN ARRAY ARRAY['sales_agg_minute', 'sales_hourly', 'store_rolling_1h', 'sku_sales_hourly', 'top_skus'] LOOP
    EXECUTE format('DELETE FROM %I WHERE window_start < $1', t) USING cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := t;
    removed_rows := n;
    summary := summary || jsonb_build_object(t, n);
    RETURN NEXT;
  END LOOP;
  IF (SELECT sum(value::bigint) FROM jsonb_each_text(summary)) > 0 THEN
    INSERT INTO audit_log (actor, role, action, target, result, detail)
    VALUES (left(actor, 200), 'sretl_owner', 'retention.aggregates', 'aggregates', 'ok',
            jsonb_build_object('before', cutoff, 'removedRows', summary));
  END IF;
END
$$;

-- A dropped day of sales_raw leaves its aggregates behind (they are kept longer): `sretl verify`
-- compares only windows from this point on, where sales_raw is still complete.
CREATE OR REPLACE FUNCTION sretl_maintain_drop_partition(partition regclass, cutoff date)
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
  INSERT INTO agg_state (name, value) VALUES ('sales_raw_complete_from', upper_day::timestamp AT TIME ZONE 'UTC')
  ON CONFLICT (name) DO UPDATE SET value = greatest(agg_state.value, EXCLUDED.value), updated_at = now();
  RETURN estimate;
END
$$;

-- the maintenance audit rows now also name the ledger's pruning
CREATE OR REPLACE FUNCTION sretl_maintain_audit(actor text, action text, target text, detail jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF action NOT IN ('partition.create', 'partition.drop', 'retention.event_ids') THEN
    RAISE EXCEPTION 'not a maintenance action: %', action USING ERRCODE = '42501';
  END IF;
  INSERT INTO audit_log (actor, role, action, target, result, detail)
  VALUES (left(actor, 200), 'sretl_owner', action, left(target, 200), 'ok', detail);
END
$$;

REVOKE ALL ON FUNCTION sretl_maintain_prune_audit(text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION sretl_maintain_prune_aggregates(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sretl_maintain_prune_audit(text, timestamptz),
  sretl_maintain_prune_aggregates(text, timestamptz) TO sretl_maintainer;
