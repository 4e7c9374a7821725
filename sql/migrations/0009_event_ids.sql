-- The event_id ledger (ADR 0061): exactly-once by event_id alone. sales_raw's primary key must
-- contain its partition key, so (event_id, event_time) cannot stop the same event_id re-sent with
-- a different event_time; this table, keyed by event_id only, does. The lander inserts a batch's
-- ids here in the landing transaction and lands in sales_raw only the rows whose id was new.
-- Entries are pruned by `sretl maintain` once older than EVENT_ID_RETENTION_DAYS (landed_at).
CREATE TABLE event_ids (
  event_id    uuid PRIMARY KEY,
  -- the event_time of the row that landed (a re-send with another one is reported against it)
  event_time  timestamptz NOT NULL,
  landed_at   timestamptz NOT NULL DEFAULT now()
);

-- landed_at follows insertion order: a BRIN index costs the landing almost nothing and lets the
-- pruning find old entries without a B-tree on a second column.
CREATE INDEX event_ids_landed_at_brin ON event_ids USING brin (landed_at);

-- what already landed, once per id (the earliest event_time where an id was landed twice)
INSERT INTO event_ids (event_id, event_time, landed_at)
SELECT event_id, min(event_time), min(ingested_at) FROM sales_raw GROUP BY event_id;

GRANT INSERT ON event_ids TO sretl_writer;
-- the lander's own login (ADR 0051): the landing transaction reads and writes the ledger, its
-- scheduled maintenance prunes it
GRANT SELECT, INSERT ON event_ids TO sretl_landing;
GRANT SELECT, DELETE ON event_ids TO sretl_maintainer;
