-- Reference data shared by the simulator, the aggregates and the panel.
CREATE TABLE stores (
  store_id    text PRIMARY KEY,
  name        text NOT NULL,
  country     char(2) NOT NULL,
  time_zone   text NOT NULL,
  currency    char(3) NOT NULL,
  size_sqm    integer NOT NULL CHECK (size_sqm > 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  sku               text PRIMARY KEY,
  name              text NOT NULL,
  category          text NOT NULL,
  -- list price in minor units of the product's price currency
  list_price_minor  bigint NOT NULL CHECK (list_price_minor >= 0),
  price_currency    char(3) NOT NULL DEFAULT 'EUR',
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category_idx ON products (category);
