#!/usr/bin/env bash
# Validates the Helm chart offline: helm lint, then helm template with each values file, and every
# rendered object against the vendored schemas (deploy/helm/schemas: Kubernetes, Strimzi,
# prometheus-operator) with kubeconform -strict — unknown fields, wrong types and objects without
# a schema are all errors. Needs helm (v4) and kubeconform on PATH or in $(go env GOPATH)/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PATH:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
chart=deploy/helm/stream-retail-etl
schemas=deploy/helm/schemas
# the Kubernetes version the schemas are of (ADR 0083)
kube=1.36.3
out="$(mktemp -d /tmp/sretl-helm.XXXXXX)"
trap 'rm -rf "$out"' EXIT

helm version --short
kubeconform -v

values=("$chart/values.yaml")
for f in "$chart"/values-*.yaml; do values+=("$f"); done

for v in "${values[@]}"; do
  echo "== helm lint (${v##*/})"
  helm lint --strict --kube-version "$kube" "$chart" -f "$v"
done

status=0
for v in "${values[@]}"; do
  name="${v##*/}"
  echo "== helm template + kubeconform -strict (${name})"
  helm template sretl "$chart" --namespace sretl --kube-version "$kube" -f "$v" >"$out/$name"
  # kinds the chart renders, for the record
  grep -E '^kind: ' "$out/$name" | sort | uniq -c | tr -s ' ' | tr '\n' ';'
  echo
  kubeconform -strict -summary -output text \
    -schema-location "$schemas/kubernetes-v1.36.3-standalone-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$schemas/strimzi-1.2.0/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    -schema-location "$schemas/prometheus-operator-v0.93.0/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$out/$name" || status=1
done
exit "$status"
