-- Indexes for the key read queries (docs/queries.md lists each query, its index and its plan).
-- Created on the partitioned table, so every daily partition (and every future one) gets them.
-- On a table that already holds many rows, create them per partition CONCURRENTLY first; on a
-- new installation they cost nothing.

-- sales of a store in a time range; also the latest events of one store
CREATE INDEX sales_raw_store_time_idx ON sales_raw (store_id, event_time);
-- the lines of a receipt (receipt ids are unique within a store); receipt_id leads, so this
-- index never competes with the one above for a store's time range
CREATE INDEX sales_raw_receipt_idx ON sales_raw (receipt_id, store_id);
-- sales of an SKU in a time range
CREATE INDEX sales_raw_sku_time_idx ON sales_raw (sku, event_time);
-- the latest events across all stores (ORDER BY event_time DESC LIMIT n)
CREATE INDEX sales_raw_time_idx ON sales_raw (event_time);

-- A rule the database enforces itself, whoever writes: only returns and voids refer to another
-- receipt. The sale_line v1 validator does not check it, so a v1-valid event can still be
-- refused here; the lander isolates such rows and dead-letters them (EVENT_DB_REJECTED).
ALTER TABLE sales_raw
  ADD CONSTRAINT sales_raw_sale_has_no_original_receipt
  CHECK (event_type <> 'SALE' OR original_receipt_id IS NULL);
