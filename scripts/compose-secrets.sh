#!/usr/bin/env bash
# Generates the Compose stack's secrets on first run: deploy/compose/secrets/<name>, mode 0600,
# random passwords from /dev/urandom. Existing files are kept (re-running changes nothing), so
# rotating one is: delete it, re-run, then apply it (docs/deploy.md, "Secrets").
# Usage: scripts/compose-secrets.sh [secrets-dir]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$repo/deploy/compose/secrets}"
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
password() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='; }
made=()
put() { # name value: write unless present
  if [ ! -s "$dir/$1" ]; then printf '%s' "$2" >"$dir/$1"; made+=("$1"); fi
}
put postgres_password "$(password)"
put sretl_db_password "$(password)"
put exporter_db_password "$(password)"
put grafana_db_password "$(password)"
put grafana_admin_password "$(password)"
put component_admin_token "$(password)$(password)"
put simulator_loyalty_key "$(password)$(password)"
put database_url "postgres://sretl:$(cat "$dir/sretl_db_password")@postgres:5432/sretl"
if [ ! -s "$dir/gateway_api_keys" ]; then
  # one key for the operator's first client; the clear key is kept beside it for them to hand out
  key="sretl_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  printf '%s' "$key" >"$dir/gateway_api_key_operator"
  printf 'operator:%s\n' "$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)" >"$dir/gateway_api_keys"
  made+=(gateway_api_keys gateway_api_key_operator)
fi
# Containers read the files as their own users (Compose without swarm bind-mounts them as they are).
chmod 644 "$dir"/*
chmod 755 "$dir"
if [ "${#made[@]}" -gt 0 ]; then echo "made secrets in $dir: ${made[*]}"; else echo "secrets in $dir are in place"; fi
