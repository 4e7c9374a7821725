#!/usr/bin/env python3
"""Vendors the JSON schemas scripts/helm-validate.sh checks the chart against (kubeconform,
strict): the Kubernetes kinds the chart renders, from the OpenAPI v3 spec in the k8s.io/kubernetes
Go module (api/openapi-spec/v3), and the CRDs it renders (Strimzi, prometheus-operator) from their
CustomResourceDefinition YAMLs. Every $ref is inlined (standalone schemas) and every object with
declared properties refuses unknown ones (strict), as kubeconform's standalone-strict layout expects.
Descriptions are dropped to keep the files small.

  go mod download k8s.io/kubernetes@v1.36.3
  python3 scripts/vendor-k8s-schemas.py --k8s-spec ~/go/pkg/mod/k8s.io/kubernetes@v1.36.3/api/openapi-spec/v3 \
      --k8s-version v1.36.3 --crd strimzi-1.2.0=<040-Crd-kafka.yaml> … --out deploy/helm/schemas

Needs python3 with PyYAML (Debian: python3-yaml). Only for re-vendoring; CI reads the output.
"""
import argparse
import copy
import json
import os
import sys

import yaml

# the built-in kinds the chart renders: (group, version, kind)
K8S_KINDS = [
    ("", "v1", "ConfigMap"),
    ("", "v1", "Secret"),
    ("", "v1", "Service"),
    ("", "v1", "ServiceAccount"),
    ("apps", "v1", "Deployment"),
    ("batch", "v1", "Job"),
    ("policy", "v1", "PodDisruptionBudget"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
]


def strict(schema):
    """Inlined schema → strict: objects with properties refuse unknown ones."""
    if isinstance(schema, dict):
        schema.pop("description", None)
        for value in list(schema.values()):
            strict(value)
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        for item in schema:
            strict(item)
    return schema


def inline(schema, definitions, stack=()):
    if isinstance(schema, list):
        return [inline(s, definitions, stack) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name in stack:
            return {}  # recursive types (none in the kinds above) are left open
        resolved = inline(copy.deepcopy(definitions[name]), definitions, stack + (name,))
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return {**resolved, **inline(rest, definitions, stack)}
    out = {k: inline(v, definitions, stack) for k, v in schema.items()}
    # the v3 spec wraps references as allOf: [{$ref}] to attach defaults
    if "allOf" in out and len(out["allOf"]) == 1 and isinstance(out["allOf"][0], dict):
        only = out.pop("allOf")[0]
        out = {**only, **out}
    return out


def k8s(spec_dir, version, out):
    target = os.path.join(out, f"kubernetes-{version}-standalone-strict")
    os.makedirs(target, exist_ok=True)
    wanted = {(g, v, k) for g, v, k in K8S_KINDS}
    for file in sorted(os.listdir(spec_dir)):
        with open(os.path.join(spec_dir, file)) as f:
            definitions = json.load(f).get("components", {}).get("schemas", {})
        for name, schema in definitions.items():
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                key = (gvk["group"], gvk["version"], gvk["kind"])
                if key not in wanted:
                    continue
                wanted.discard(key)
                full = strict(inline(copy.deepcopy(schema), definitions))
                group = gvk["group"].split(".")[0]
                suffix = f"-{group}-{gvk['version']}" if group else f"-{gvk['version']}"
                write(os.path.join(target, f"{gvk['kind'].lower()}{suffix}.json"), full)
    if wanted:
        sys.exit(f"not found in {spec_dir}: {sorted(wanted)}")


def crds(label, files, out):
    target = os.path.join(out, label)
    for path in files:
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                group = doc["spec"]["group"]
                kind = doc["spec"]["names"]["kind"].lower()
                for version in doc["spec"]["versions"]:
                    if not version.get("served"):
                        continue
                    schema = strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
                    os.makedirs(os.path.join(target, group), exist_ok=True)
                    write(os.path.join(target, group, f"{kind}_{version['name']}.json"), schema)


def write(path, schema):
    with open(path, "w") as f:
        json.dump(schema, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k8s-spec", required=True)
    parser.add_argument("--k8s-version", required=True)
    parser.add_argument("--crd", action="append", default=[], help="label=file.yaml (repeatable)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    k8s(args.k8s_spec, args.k8s_version, args.out)
    by_label = {}
    for item in args.crd:
        label, path = item.split("=", 1)
        by_label.setdefault(label, []).append(path)
    for label, files in by_label.items():
        crds(label, files, args.out)


if __name__ == "__main__":
    main()
