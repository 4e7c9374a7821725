#!/bin/bash
# Writes server.properties from KAFKA_* variables (the apache/kafka image's convention), formats the
# storage once with CLUSTER_ID and runs the broker in the foreground (SIGTERM stops it cleanly).
set -euo pipefail
config=/opt/kafka/config/server.properties
: "${CLUSTER_ID:?set CLUSTER_ID (22 characters, e.g. from kafka-storage random-uuid)}"
: >"$config"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS | KAFKA_JVM_OPTS | KAFKA_VERSION) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key="${name#KAFKA_}"
  key="${key//___/-}"
  key="${key//__/@}"
  key="${key//_/.}"
  key="${key//@/_}"
  printf '%s=%s\n' "${key,,}" "$value" >>"$config"
done < <(env)
: "${KAFKA_LOG_DIRS:=/var/lib/kafka/data}"
grep -q '^log.dirs=' "$config" || echo "log.dirs=$KAFKA_LOG_DIRS" >>"$config"

java=(java ${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/kafka/log4j2.properties
  ${KAFKA_JVM_OPTS:-} -cp '/opt/kafka/libs/*')
"${java[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$config" --ignore-formatted >/dev/null
exec "${java[@]}" kafka.Kafka "$config"
