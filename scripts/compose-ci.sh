#!/usr/bin/env bash
# Builds and runs the Compose deployment for real, then checks it from the host: sretl smoke, an
# exactly-once check through the gateway (rows counted exactly, `sretl verify` clean), a restart of
# the lander and the same checks again, a backup. Tears everything down on exit, success or not:
# its containers, volumes, network and secrets (images stay as the next run's cache).
# Needs: docker (starts dockerd when none answers), docker-compose 1.29+, debootstrap when the
# base image is missing, npm ci done. Env: SRETL_BASE_IMAGE (default local/debian:bookworm-slim,
# built with scripts/build-base-image.sh when missing), SRETL_CI_PORT_BASE (default 28000).
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_engine_strict=false npm_config_loglevel=error
repo="$(pwd)"
started=$(date +%s)
step() { printf '\n== compose-ci: %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

export SRETL_BASE_IMAGE="${SRETL_BASE_IMAGE:-local/debian:bookworm-slim}"
export COMPOSE_PROJECT_NAME="sretl-ci-$$"
export SRETL_SECRETS_DIR="$(mktemp -d /tmp/sretl-ci-secrets.XXXXXX)"
home="$(mktemp -d /tmp/sretl-ci-home.XXXXXX)"
base="${SRETL_CI_PORT_BASE:-28000}"
export POSTGRES_HOST_PORT=$((base + 32)) CONTROL_HOST_PORT=$((base + 80)) GATEWAY_HOST_PORT=$((base + 81)) \
  SIMULATOR_HOST_PORT=$((base + 82)) PROMETHEUS_HOST_PORT=$((base + 90)) ALERTMANAGER_HOST_PORT=$((base + 93))
compose=(docker-compose -f deploy/compose/docker-compose.yml -f deploy/compose/docker-compose.build.yml)
dockerd_pid=""

cleanup() {
  local code=$?
  step "tear down (exit code $code)"
  if [ "$code" -ne 0 ]; then "${compose[@]}" ps || true; "${compose[@]}" logs --tail=40 || true; fi
  "${compose[@]}" down -v --remove-orphans --timeout 20 || true
  rm -rf "$SRETL_SECRETS_DIR" "$home"
  if [ -n "$dockerd_pid" ]; then kill "$dockerd_pid" 2>/dev/null || true; wait "$dockerd_pid" 2>/dev/null || true; fi
  printf '== compose-ci: finished in %ss\n' "$(( $(date +%s) - started ))"
}
trap cleanup EXIT
trap "exit 143" TERM INT

step "docker engine"
if ! docker info >/dev/null 2>&1; then
  dockerd >/tmp/sretl-ci-dockerd.log 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null
fi

step "base image $SRETL_BASE_IMAGE"
scripts/build-base-image.sh "$SRETL_BASE_IMAGE"

step "Kafka jars and images"
npx node scripts/kafka-image-jars.ts
scripts/compose-secrets.sh "$SRETL_SECRETS_DIR"
"${compose[@]}" build --quiet
docker image inspect -f 'image stream-retail-etl:latest: {{.Size}} bytes' stream-retail-etl:latest

step "up"
up_at=$(date +%s)
"${compose[@]}" up -d
# healthy = every long-running container healthy (or running, when it has no health check) and
# every one-shot (migrate, topics) exited 0
for _ in $(seq 120); do
  waiting=0
  for id in $("${compose[@]}" ps -q); do
    read -r name status health exitcode < <(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}}' "$id")
    case "$status/$health" in
      running/healthy | running/none) ;;
      exited/*) [ "$exitcode" = 0 ] || { echo "$name exited with $exitcode"; exit 1; } ;;
      *) waiting=$((waiting + 1)) ;;
    esac
  done
  [ "$waiting" -eq 0 ] && break
  sleep 2
done
[ "$waiting" -eq 0 ] || { echo "not healthy after 240 s"; exit 1; }
echo "time to healthy: $(( $(date +%s) - up_at )) s"
"${compose[@]}" ps

# the host's view of the stack, for sretl smoke/verify and the exactly-once check
export SRETL_HOME="$home" DATABASE_URL
DATABASE_URL="postgres://sretl:$(cat "$SRETL_SECRETS_DIR/sretl_db_password")@127.0.0.1:$POSTGRES_HOST_PORT/sretl"
lander_port="$("${compose[@]}" port lander 8083 | sed 's/.*://')"
export CONTROL_PORT=$CONTROL_HOST_PORT GATEWAY_PORT=$GATEWAY_HOST_PORT SIMULATOR_PORT=$SIMULATOR_HOST_PORT \
  LANDER_PORT="$lander_port" PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_HOST_PORT" \
  GATEWAY_URL="http://127.0.0.1:$GATEWAY_HOST_PORT" GATEWAY_KEY_FILE="$SRETL_SECRETS_DIR/gateway_api_key_operator"

check() {
  step "sretl smoke ($1)"
  # after a restart the latency SLO alerts may rightly be burning for a while; what a restart must
  # not break is rows landing, every component RUNNING and every target UP
  npx sretl smoke --timeout 120 ${2:+--skip "$2"}
  step "exactly once through the gateway ($1)"
  npx node scripts/compose-exactly-once.ts 2000
  step "sretl verify ($1)"
  # live, while the simulator produces: the aggregates are written in the landing transaction
  npx sretl verify
}
check "fresh stack"

step "restart the lander"
"${compose[@]}" restart lander
lander_port="$("${compose[@]}" port lander 8083 | sed 's/.*://')"
export LANDER_PORT="$lander_port"
check "after the lander's restart" alerts

step "backup"
"${compose[@]}" run --rm backup once
"${compose[@]}" run --rm --entrypoint bash backup -c 'pg_restore --list "$(ls -1t /backups/*.dump | head -1)" | grep -q "TABLE DATA public sales_raw"'

step "memory"
docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' $("${compose[@]}" ps -q)
docker stats --no-stream --format '{{.MemUsage}}' $("${compose[@]}" ps -q) |
  awk '{ v=$1; u=v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+/, "", v); m=(u=="GiB")?1024:(u=="KiB")?1/1024:1; t+=v*m } END { printf "stack memory: %.0f MiB\n", t }'
step "ok"
