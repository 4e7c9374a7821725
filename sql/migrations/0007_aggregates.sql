-- The real-time aggregates (issue #5, ADR 0040; docs/aggregates.md defines every column).
-- Money is in minor units of `currency`, which is part of every key: amounts in different
-- currencies are never added together.
--
-- Every published aggregate row carries:
--   version            +1 on every change
--   final              the window's end + grace period is behind the watermark
--   correction         the row changed after it was final (late data)
--   published_version  the highest version confirmed on the row's compacted topic
--   published_at       when that confirmation was written
-- A row with published_version < version is waiting to be published (the publisher reads
-- them through the partial index unpublished_idx, so a crash between COMMIT and publish loses
-- nothing).

CREATE TABLE sales_agg_minute (
  store_id          text NOT NULL,
  currency          char(3) NOT NULL,
  window_start      timestamptz NOT NULL,
  window_end        timestamptz NOT NULL,
  lines             bigint NOT NULL,
  units             bigint NOT NULL,
  receipts          bigint NOT NULL,
  gross_minor       bigint NOT NULL,
  discount_minor    bigint NOT NULL,
  returns_minor     bigint NOT NULL,
  net_minor         bigint NOT NULL,
  version           bigint NOT NULL DEFAULT 1,
  final             boolean NOT NULL DEFAULT false,
  correction        boolean NOT NULL DEFAULT false,
  published_version bigint NOT NULL DEFAULT 0,
  published_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, currency, window_start)
);
CREATE INDEX sales_agg_minute_unpublished_idx ON sales_agg_minute (window_start)
  WHERE published_version < version;
CREATE INDEX sales_agg_minute_open_idx ON sales_agg_minute (window_end) WHERE NOT final;
-- "sales in the last hour, all stores" reads a time range across stores
CREATE INDEX sales_agg_minute_time_idx ON sales_agg_minute (window_start);

-- window_start is the UTC instant at which the store's local hour starts: unique even for the
-- repeated hour of a 25-hour day, and at :30 UTC for Asia/Kolkata.
CREATE TABLE sales_hourly (
  store_id          text NOT NULL,
  currency          char(3) NOT NULL,
  window_start      timestamptz NOT NULL,
  window_end        timestamptz NOT NULL,
  time_zone         text NOT NULL,
  local_date        date NOT NULL,
  local_hour        smallint NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
  utc_offset_minutes smallint NOT NULL,
  lines             bigint NOT NULL,
  units             bigint NOT NULL,
  receipts          bigint NOT NULL,
  gross_minor       bigint NOT NULL,
  discount_minor    bigint NOT NULL,
  returns_minor     bigint NOT NULL,
  net_minor         bigint NOT NULL,
  version           bigint NOT NULL DEFAULT 1,
  final             boolean NOT NULL DEFAULT false,
  correction        boolean NOT NULL DEFAULT false,
  published_version bigint NOT NULL DEFAULT 0,
  published_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, currency, window_start)
);
CREATE INDEX sales_hourly_unpublished_idx ON sales_hourly (window_start) WHERE published_version < version;
CREATE INDEX sales_hourly_open_idx ON sales_hourly (window_end) WHERE NOT final;
-- a store's local day
CREATE INDEX sales_hourly_local_date_idx ON sales_hourly (local_date, store_id);

-- The 60 minutes [window_end - 1 h, window_end) at each minute boundary window_end.
CREATE TABLE store_rolling_1h (
  store_id          text NOT NULL,
  currency          char(3) NOT NULL,
  window_end        timestamptz NOT NULL,
  window_start      timestamptz NOT NULL,
  lines             bigint NOT NULL,
  units             bigint NOT NULL,
  receipts          bigint NOT NULL,
  gross_minor       bigint NOT NULL,
  discount_minor    bigint NOT NULL,
  returns_minor     bigint NOT NULL,
  net_minor         bigint NOT NULL,
  version           bigint NOT NULL DEFAULT 1,
  final             boolean NOT NULL DEFAULT false,
  correction        boolean NOT NULL DEFAULT false,
  published_version bigint NOT NULL DEFAULT 0,
  published_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, currency, window_end)
);
CREATE INDEX store_rolling_1h_unpublished_idx ON store_rolling_1h (window_end) WHERE published_version < version;
CREATE INDEX store_rolling_1h_open_idx ON store_rolling_1h (window_end) WHERE NOT final;
-- the latest value per store (DISTINCT ON (store_id) … ORDER BY store_id, window_end DESC)
-- uses the primary key; the latest boundary across stores uses this one
CREATE INDEX store_rolling_1h_end_idx ON store_rolling_1h (window_end);

-- Per-SKU sums per hour, the exact base the top 10 are ranked from (and what "today's top
-- SKUs" sums). store_id '*' is the overall scope: every store of the currency, by UTC hour;
-- otherwise the store's local hour (window_start as in sales_hourly).
CREATE TABLE sku_sales_hourly (
  store_id      text NOT NULL,
  currency      char(3) NOT NULL,
  window_start  timestamptz NOT NULL,
  sku           text NOT NULL,
  local_date    date NOT NULL,
  local_hour    smallint NOT NULL,
  lines         bigint NOT NULL,
  units         bigint NOT NULL,
  net_minor     bigint NOT NULL,
  PRIMARY KEY (store_id, currency, window_start, sku)
);
-- (no further index: a store's day is a window_start range of the primary key, and every index
-- here costs the fold of each batch's SKU deltas)

-- The landing transaction appends each batch's per-SKU deltas here (COPY: no index, no
-- conflict check — an upsert per SKU would cost the landing as much as the rows themselves);
-- the publish cycle folds them into sku_sales_hourly and deletes them in one transaction, so each
-- delta is added exactly once (ADR 0040).
CREATE TABLE sku_sales_deltas (
  store_id      text NOT NULL,
  currency      char(3) NOT NULL,
  start_ms      bigint NOT NULL,
  sku           text NOT NULL,
  local_date    date NOT NULL,
  local_hour    smallint NOT NULL,
  lines         bigint NOT NULL,
  units         bigint NOT NULL,
  net_minor     bigint NOT NULL
);

CREATE TABLE top_skus (
  scope             text NOT NULL CHECK (scope IN ('store', 'all')),
  -- the store, or '*' for the overall scope
  store_id          text NOT NULL,
  currency          char(3) NOT NULL,
  window_start      timestamptz NOT NULL,
  window_end        timestamptz NOT NULL,
  rank              smallint NOT NULL CHECK (rank BETWEEN 1 AND 10),
  local_date        date NOT NULL,
  local_hour        smallint NOT NULL,
  sku               text NOT NULL,
  name              text,
  category          text,
  lines             bigint NOT NULL,
  units             bigint NOT NULL,
  net_minor         bigint NOT NULL,
  version           bigint NOT NULL DEFAULT 1,
  final             boolean NOT NULL DEFAULT false,
  correction        boolean NOT NULL DEFAULT false,
  published_version bigint NOT NULL DEFAULT 0,
  published_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, store_id, currency, window_start, rank)
);
CREATE INDEX top_skus_unpublished_idx ON top_skus (window_start) WHERE published_version < version;
CREATE INDEX top_skus_open_idx ON top_skus (window_end) WHERE NOT final;
CREATE INDEX top_skus_local_date_idx ON top_skus (local_date, scope, store_id);

-- The highest admissible event time landed per source partition, written in the landing
-- transaction; the watermark is derived from it.
CREATE TABLE agg_partition_watermarks (
  topic           text NOT NULL,
  partition       integer NOT NULL,
  max_event_time  timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition)
);

-- watermark: windows whose end + grace period is behind it are final.
-- rolling_horizon: store_rolling_1h has every boundary up to it.
CREATE TABLE agg_state (
  name        text PRIMARY KEY,
  value       timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

GRANT INSERT, UPDATE ON sales_agg_minute, sales_hourly, store_rolling_1h, sku_sales_hourly, top_skus,
  agg_partition_watermarks, agg_state TO sretl_writer;
GRANT INSERT, DELETE ON sku_sales_deltas TO sretl_writer;

-- rows updated many times (the current minute and hour) keep room on their page for the new version
ALTER TABLE sales_agg_minute SET (fillfactor = 80);
ALTER TABLE sales_hourly SET (fillfactor = 80);
ALTER TABLE sku_sales_hourly SET (fillfactor = 80);
