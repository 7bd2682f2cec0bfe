#!/usr/bin/python3
# kube-validate.py FILE|-: checks every document of a Kubernetes YAML file
# against the API's schema, offline, with the models of Debian's
# python3-kubernetes (one class per kind; `openapi_types` gives each field's
# type, `attribute_map` its JSON name). Walks each object recursively and
# rejects unknown keys, values of the wrong type and missing required
# fields (the models raise when one is constructed without them), plus the
# name and port rules the API server checks beyond the schema (DNS-1123
# names, port ranges, NodePort range, workload restart policies). Prints "ok KIND NAME" per document;
# exits 1 with "FILE: document N (KIND): PATH: PROBLEM" lines otherwise.
import datetime
import re
import sys

import kubernetes.client as client
import yaml

# The kinds a test may meet, by (apiVersion, kind).
KINDS = {
    ("v1", "Pod"): client.V1Pod,
    ("v1", "Service"): client.V1Service,
    ("v1", "PersistentVolumeClaim"): client.V1PersistentVolumeClaim,
    ("v1", "ConfigMap"): client.V1ConfigMap,
    ("v1", "Secret"): client.V1Secret,
    ("apps/v1", "Deployment"): client.V1Deployment,
    ("apps/v1", "DaemonSet"): client.V1DaemonSet,
    ("batch/v1", "Job"): client.V1Job,
}

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class Invalid(Exception):
    pass


def check_type(value, typ, path):
    """Checks `value` against an openapi_types type string; recurses into models."""
    if typ == "str":
        if not isinstance(value, str):
            raise Invalid(f"{path}: must be a string, not {type(value).__name__} {value!r}")
    elif typ == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid(f"{path}: must be an integer, not {type(value).__name__} {value!r}")
    elif typ == "float":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise Invalid(f"{path}: must be a number, not {value!r}")
    elif typ == "bool":
        if not isinstance(value, bool):
            raise Invalid(f"{path}: must be a boolean, not {type(value).__name__} {value!r}")
    elif typ == "datetime":
        if isinstance(value, datetime.datetime):
            return
        if not isinstance(value, str) or not RFC3339.match(value):
            raise Invalid(f"{path}: must be an RFC 3339 time, not {value!r}")
    elif typ == "object":
        return  # IntOrString, RawExtension: anything the server takes apart itself
    elif typ.startswith("list["):
        if not isinstance(value, list):
            raise Invalid(f"{path}: must be a list, not {type(value).__name__}")
        for i, item in enumerate(value):
            check_type(item, typ[5:-1], f"{path}[{i}]")
    elif typ.startswith("dict("):
        if not isinstance(value, dict):
            raise Invalid(f"{path}: must be a map, not {type(value).__name__}")
        inner = typ[5:-1].split(", ", 1)[1]
        for k, v in value.items():
            if not isinstance(k, str):
                raise Invalid(f"{path}: key {k!r} must be a string")
            check_type(v, inner, f"{path}.{k}")
    else:
        check_model(value, getattr(client, typ), path)


def check_model(value, cls, path):
    if not isinstance(value, dict):
        raise Invalid(f"{path}: must be a map ({cls.__name__}), not {type(value).__name__}")
    by_json = {json: attr for attr, json in cls.attribute_map.items()}
    kwargs = {}
    for key, item in value.items():
        if key not in by_json:
            raise Invalid(f"{path}.{key}: unknown field of {cls.__name__}")
        attr = by_json[key]
        check_type(item, cls.openapi_types[attr], f"{path}.{key}")
        kwargs[attr] = item
    try:
        cls(**kwargs)  # the setters raise ValueError for a required field that is missing
    except ValueError as e:
        raise Invalid(f"{path}: {e}")


def check_names(doc):
    """What the API server checks beyond the schema, for the kinds berth writes."""
    meta = doc.get("metadata") or {}
    name = meta.get("name", "")
    if not name or len(name) > 253 or not DNS_SUBDOMAIN.match(name):
        raise Invalid(f"metadata.name: {name!r} is not a DNS-1123 subdomain")
    pod_specs = []
    if doc["kind"] == "Pod":
        pod_specs.append(("spec", doc["spec"]))
    elif doc["kind"] in ("Deployment", "DaemonSet"):
        spec = doc["spec"]
        pod_specs.append(("spec.template.spec", spec["template"]["spec"]))
        selector = spec["selector"].get("matchLabels", {})
        labels = (spec["template"].get("metadata") or {}).get("labels", {})
        if any(labels.get(k) != v for k, v in selector.items()):
            raise Invalid("spec.selector: does not match spec.template.metadata.labels")
        if spec["template"]["spec"].get("restartPolicy", "Always") != "Always":
            raise Invalid(f"spec.template.spec.restartPolicy: a {doc['kind']} allows only Always")
    elif doc["kind"] == "Job":
        spec = doc["spec"]
        pod_specs.append(("spec.template.spec", spec["template"]["spec"]))
        if spec["template"]["spec"].get("restartPolicy") not in ("Never", "OnFailure"):
            raise Invalid("spec.template.spec.restartPolicy: a Job needs Never or OnFailure")
    elif doc["kind"] == "Service":
        for i, port in enumerate(doc["spec"].get("ports", [])):
            if "nodePort" in port and not 30000 <= port["nodePort"] <= 32767:
                raise Invalid(f"spec.ports[{i}].nodePort: {port['nodePort']} is outside 30000-32767")
            if not 1 <= port["port"] <= 65535:
                raise Invalid(f"spec.ports[{i}].port: {port['port']} is not a port")
    for where, spec in pod_specs:
        volumes = set()
        for i, v in enumerate(spec.get("volumes", [])):
            if not DNS_LABEL.match(v["name"]) or len(v["name"]) > 63:
                raise Invalid(f"{where}.volumes[{i}].name: {v['name']!r} is not a DNS-1123 label")
            volumes.add(v["name"])
        if spec.get("restartPolicy", "Always") not in ("Always", "OnFailure", "Never"):
            raise Invalid(f"{where}.restartPolicy: {spec['restartPolicy']!r}")
        for i, c in enumerate(spec["containers"]):
            at = f"{where}.containers[{i}]"
            if not DNS_LABEL.match(c["name"]) or len(c["name"]) > 63:
                raise Invalid(f"{at}.name: {c['name']!r} is not a DNS-1123 label")
            for j, p in enumerate(c.get("ports", [])):
                for key in ("containerPort", "hostPort"):
                    if key in p and not 1 <= p[key] <= 65535:
                        raise Invalid(f"{at}.ports[{j}].{key}: {p[key]} is not a port")
                if p.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
                    raise Invalid(f"{at}.ports[{j}].protocol: {p['protocol']!r}")
            for j, m in enumerate(c.get("volumeMounts", [])):
                if m["name"] not in volumes:
                    raise Invalid(f"{at}.volumeMounts[{j}].name: no volume {m['name']!r} in the pod")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    text = sys.stdin.read() if path == "-" else open(path).read()
    problems = 0
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    if not documents:
        print(f"{path}: no documents", file=sys.stderr)
        return 1
    for n, doc in enumerate(documents, 1):
        kind = doc.get("kind", "?") if isinstance(doc, dict) else "?"
        try:
            if not isinstance(doc, dict):
                raise Invalid("not a map")
            cls = KINDS.get((doc.get("apiVersion"), kind))
            if cls is None:
                raise Invalid(f"apiVersion {doc.get('apiVersion')!r} kind {kind!r}: not a kind this validator knows")
            check_model(doc, cls, kind)
            check_names(doc)
            print(f"ok {kind} {doc['metadata']['name']}")
        except Invalid as e:
            print(f"{path}: document {n} ({kind}): {e}", file=sys.stderr)
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
