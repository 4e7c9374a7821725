#!/bin/bash
# First start of the Compose PostgreSQL (run by the image's entrypoint, as the superuser):
# the logins of the plain mode, each with its password from a Compose secret.
#   sretl           the pipeline (owns the schema through the migrations' roles), pg_monitor for `sretl status`
#   sretl_exporter  the PostgreSQL exporter: pg_monitor + read access through sretl_reader
#   sretl_grafana   Grafana's read-only datasource (sretl_reader)
# The roles sretl_reader/sretl_writer/sretl_owner are made by migration 0001 (IF NOT EXISTS);
# sretl_reader is made here first so the logins can join it now.
set -euo pipefail
secret() { tr -d '\n' <"/run/secrets/$1"; }
psql -v ON_ERROR_STOP=1 -qd "${POSTGRES_DB:-sretl}" \
  -v sretl_pw="$(secret sretl_db_password)" \
  -v exporter_pw="$(secret exporter_db_password)" \
  -v grafana_pw="$(secret grafana_db_password)" <<'SQL'
CREATE ROLE sretl_reader NOLOGIN;
CREATE ROLE sretl LOGIN CREATEROLE PASSWORD :'sretl_pw' IN ROLE pg_monitor;
CREATE ROLE sretl_exporter LOGIN PASSWORD :'exporter_pw' IN ROLE pg_monitor, sretl_reader;
CREATE ROLE sretl_grafana LOGIN PASSWORD :'grafana_pw' IN ROLE sretl_reader;
ALTER DATABASE sretl OWNER TO sretl;
ALTER SCHEMA public OWNER TO sretl;
SQL
