#!/usr/bin/env python3
"""Checks the Atlas Helm chart: lint, render and validate, offline.

For each case below it runs `helm lint --strict` and `helm template` with the
case's values, parses every rendered document, validates each against the
Kubernetes JSON schemas of the oldest and newest supported Kubernetes versions
(strict: unknown fields fail; the kubernetes-validate package ships the
schemas, so no network is needed), and then checks what the chart promises:
security contexts, probes, secrets passed only as files, selectors that match,
hooks, checksums that roll the pods, and so on. Bad values must fail with the
expected message. NOTES.txt is rendered too. Finally Atlas itself (`atlas
config`, which validates the configuration offline) must accept the
environment and secret files that every rendered pod would get.

Usage: check.py --helm PATH --chart DIR --atlas PATH   (scripts/helm check runs it)
Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import base64
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

try:
    import jsonschema
    import kubernetes_validate
    import kubernetes_validate.utils as kv_utils
    from referencing import Registry, Resource
except ImportError:  # scripts/helm installs them; fail loudly, never skip.
    kubernetes_validate = None

# Kubernetes versions whose schemas every render is validated against: the
# chart's minimum (Chart.yaml kubeVersion) and the newest the package knows.
KUBE_VERSIONS = ("1.28.0", "1.37.0")

# Kinds that are custom resources: no bundled schema, checked structurally.
CRD_KINDS = {"PodMonitor", "PodMonitoring", "ServiceMonitor", "ManagedCertificate"}

SUBCOMMANDS = {"api": "serve", "worker": "worker", "audit-consumer": "audit-consumer", "indexer": "indexer"}
SECRET_VARS = {"ATLAS_DATABASE_URL", "ATLAS_JWT_SECRET", "ATLAS_CURSOR_SECRET", "ATLAS_RIVERUI_PASSWORD",
               "ATLAS_ELASTICSEARCH_PASSWORD", "ATLAS_ELASTICSEARCH_API_KEY", "ATLAS_KAFKA_SASL_PASSWORD", "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET"}
# An OpenID Connect provider's client secret (config.oidc) is a secret too.
OIDC_SECRET = re.compile(r"^ATLAS_OIDC_[A-Z0-9]+_CLIENT_SECRET$")
STANDARD_LABELS = (
    "helm.sh/chart",
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/part-of",
)
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class CheckFailed(Exception):
    """One failed expectation."""


def expect(cond: Any, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


# --------------------------------------------------------------------------
# Running helm


@dataclass
class Helm:
    binary: str
    chart: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.binary, *args], capture_output=True, text=True, env=self.env, timeout=60)

    def lint(self, values: list[str], sets: list[str]) -> subprocess.CompletedProcess[str]:
        return self.run("lint", "--strict", str(self.chart), *flags(values, sets))

    def template(self, values: list[str], sets: list[str], release: str = "prod",
                 namespace: str = "atlas", chart: Path | None = None, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        return self.run("template", release, str(chart or self.chart), "--namespace", namespace,
                        "--kube-version", KUBE_VERSIONS[0], *flags(values, sets), *extra)


def flags(values: list[str], sets: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out += ["--values", v]
    for s in sets:
        out += ["--set", s]
    return out


def parse_manifests(text: str) -> list[dict]:
    docs = []
    for i, doc in enumerate(yaml.safe_load_all(text)):
        if doc is None:
            continue
        expect(isinstance(doc, dict), f"document {i} is not a mapping: {doc!r:.80}")
        docs.append(doc)
    return docs


# --------------------------------------------------------------------------
# Rendered objects


@dataclass
class Render:
    docs: list[dict]

    def of(self, kind: str) -> list[dict]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> dict | None:
        return next((d for d in self.of(kind) if d["metadata"]["name"] == name), None)

    def kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.docs:
            out[d["kind"]] = out.get(d["kind"], 0) + 1
        return out

    def deployment(self, component: str) -> dict | None:
        return next((d for d in self.of("Deployment") if component_of(d) == component), None)


def component_of(obj: dict) -> str | None:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component")


def hook(obj: dict) -> str | None:
    return (obj["metadata"].get("annotations") or {}).get("helm.sh/hook")


def pod_spec(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]


def matches(selector: dict, labels: dict) -> bool:
    """Whether a LabelSelector (matchLabels and matchExpressions) selects labels."""
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        have = e["key"] in labels
        if e["operator"] == "In" and (not have or labels[e["key"]] not in e["values"]):
            return False
        if e["operator"] == "NotIn" and have and labels[e["key"]] in e["values"]:
            return False
        if e["operator"] == "Exists" and not have:
            return False
        if e["operator"] == "DoesNotExist" and have:
            return False
    return True


# --------------------------------------------------------------------------
# Generic checks, for every render


_validator_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _validator(kind: str, api_version: str, kube_version: str) -> Any:
    """A strict validator of one kind for one Kubernetes version, built once
    (what kubernetes_validate.validate does on every call)."""
    version = [v for v in kv_utils.all_versions()
               if kv_utils.major_minor(v) <= kv_utils.major_minor(kube_version)][-1]
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = f"kubernetes-json-schema/v{version}-local-strict"
    try:
        schema = kv_utils.schema_contents(f"{schema_dir}/{kind.lower()}-{api}.json", kube_version)
    except FileNotFoundError:
        raise CheckFailed(f"no Kubernetes {kube_version} schema for {kind} {api_version}")
    definitions = kv_utils.schema_contents(f"{schema_dir}/_definitions.json", kube_version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def check_schemas(r: Render) -> None:
    expect(kubernetes_validate is not None, "python package kubernetes-validate is missing (scripts/helm installs it)")
    for d in r.docs:
        if d["kind"] in CRD_KINDS:
            continue
        for version in KUBE_VERSIONS:
            with _validator_lock:
                v = _validator(d["kind"], d["apiVersion"], version)
            err = next(iter(sorted(v.iter_errors(d), key=lambda e: list(e.path))), None)
            if err is not None:
                path = "/".join(str(p) for p in err.path)
                raise CheckFailed(f"{d['kind']}/{d['metadata']['name']} is invalid for Kubernetes {version} at {path}: {err.message}")


def check_metadata(r: Render, release: str) -> None:
    seen = set()
    for d in r.docs:
        expect(d.get("apiVersion") and d.get("kind"), f"document without apiVersion/kind: {d!r:.100}")
        md = d.get("metadata") or {}
        name = md.get("name", "")
        expect(name and len(name) <= 63 and DNS1123.match(name), f"{d['kind']}: bad name {name!r}")
        key = (d["kind"], name)
        expect(key not in seen, f"{d['kind']}/{name} rendered twice")
        seen.add(key)
        expect("namespace" not in md, f"{d['kind']}/{name} hard-codes a namespace")
        labels = md.get("labels") or {}
        for label in STANDARD_LABELS:
            expect(label in labels, f"{d['kind']}/{name} lacks the label {label}")
        expect(labels["app.kubernetes.io/instance"] == release, f"{d['kind']}/{name}: instance label is not the release")
        for k, v in labels.items():
            expect(isinstance(v, str) and len(v) <= 63, f"{d['kind']}/{name}: label {k}={v!r} is not a short string")


def check_configmap(r: Render) -> dict[str, str]:
    cms = [c for c in r.of("ConfigMap") if not c["metadata"]["name"].endswith("-grafana-dashboard")]
    expect(len(cms) == 1, f"want one ConfigMap of settings, got {len(cms)}")
    data = cms[0]["data"]
    for k, v in data.items():
        expect(re.match(r"^ATLAS_[A-Z0-9_]+$", k), f"ConfigMap key {k} is not an ATLAS_* variable")
        expect(isinstance(v, str), f"ConfigMap {k} is not a string: {v!r}")
        # A secret's _FILE comes with its volume, never from the ConfigMap; a CA file is no secret.
        expect(k not in SECRET_VARS and k.removesuffix("_FILE") not in SECRET_VARS and not OIDC_SECRET.match(k.removesuffix("_FILE")),
               f"ConfigMap carries the secret {k}")
    expect(data.get("ATLAS_ENV") == "production", "ATLAS_ENV is not production")
    for k in ("ATLAS_HTTP_ADDR", "ATLAS_OPS_ADDR", "ATLAS_KAFKA_BROKERS", "ATLAS_ELASTICSEARCH_URL"):
        expect(data.get(k), f"ConfigMap lacks {k}")
    return data


def check_secrets(r: Render) -> None:
    for s in r.of("Secret"):
        data = s.get("data") or {}
        for k, v in data.items():
            try:
                base64.b64decode(v, validate=True)
            except Exception:
                raise CheckFailed(f"Secret/{s['metadata']['name']} key {k} is not base64")


def check_pod(obj: dict, r: Render, env_from_config: dict[str, str], existing_secret: str | None) -> dict[str, str]:
    """Checks one pod template; returns the container's effective ATLAS_* env."""
    what = f"{obj['kind']}/{obj['metadata']['name']}"
    spec = pod_spec(obj)
    psc = spec.get("securityContext") or {}
    expect(psc.get("runAsNonRoot") is True, f"{what}: pod runAsNonRoot is not true")
    expect((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{what}: no RuntimeDefault seccomp profile")
    expect(spec.get("automountServiceAccountToken") is False, f"{what}: service account token is mounted")
    containers = spec["containers"]
    expect(len(containers) == 1, f"{what}: want one container")
    c = containers[0]
    sc = c.get("securityContext") or {}
    expect(sc.get("readOnlyRootFilesystem") is True, f"{what}: root filesystem is writable")
    expect(sc.get("allowPrivilegeEscalation") is False, f"{what}: privilege escalation allowed")
    expect("ALL" in ((sc.get("capabilities") or {}).get("drop") or []), f"{what}: capabilities not dropped")
    for sc_c in [c] + (spec.get("initContainers") or []):
        res = sc_c.get("resources") or {}
        expect((res.get("requests") or {}).get("memory") and (res.get("limits") or {}).get("memory"),
               f"{what} {sc_c['name']}: memory request/limit missing")
    for side in spec.get("initContainers") or []:
        ssc = side.get("securityContext") or {}
        expect(side.get("restartPolicy") == "Always", f"{what}: init container {side['name']} is not a native sidecar")
        expect(ssc.get("readOnlyRootFilesystem") is True and ssc.get("allowPrivilegeEscalation") is False
               and "ALL" in ((ssc.get("capabilities") or {}).get("drop") or []), f"{what}: sidecar {side['name']} is not locked down")
        expect(side.get("startupProbe") and side.get("livenessProbe"), f"{what}: sidecar {side['name']} has no probes")
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    mounts = c.get("volumeMounts") or []
    for m in mounts:
        expect(m["name"] in volumes, f"{what}: mount of unknown volume {m['name']}")
    expect(any(m["mountPath"] == "/tmp" and "emptyDir" in volumes[m["name"]] for m in mounts),
           f"{what}: no writable /tmp")

    env: dict[str, str] = {}
    for ef in c.get("envFrom") or []:
        ref = ef.get("configMapRef")
        expect(ref and r.get("ConfigMap", ref["name"]), f"{what}: envFrom names a ConfigMap that is not rendered")
        env.update(env_from_config)
    for e in c.get("env") or []:
        expect(e["name"] not in SECRET_VARS and not OIDC_SECRET.match(e["name"]), f"{what}: secret {e['name']} passed as a plain variable")
        if "value" in e:
            env[e["name"]] = e["value"]
    expect(env.get("ATLAS_ENV") == "production", f"{what}: ATLAS_ENV is not production")

    # Every secret reaches Atlas as a file: NAME_FILE points into a mounted
    # secret volume whose items include that file, from a Secret that exists.
    for name in ("ATLAS_DATABASE_URL", "ATLAS_JWT_SECRET"):
        expect(name + "_FILE" in env, f"{what}: {name}_FILE is not set")
    for name in SECRET_VARS | {k.removesuffix("_FILE") for k in env if OIDC_SECRET.match(k.removesuffix("_FILE"))}:
        path = env.get(name + "_FILE")
        if not path:
            continue
        mount = next((m for m in mounts if path.startswith(m["mountPath"].rstrip("/") + "/")), None)
        expect(mount, f"{what}: {name}_FILE={path} is not under a mount")
        vol = volumes[mount["name"]].get("secret")
        expect(vol, f"{what}: {name}_FILE is not on a secret volume")
        rel = path[len(mount["mountPath"].rstrip("/")) + 1:]
        item = next((i for i in vol.get("items") or [] if i["path"] == rel), None)
        expect(item, f"{what}: {name}_FILE={path} is not an item of the secret volume")
        if existing_secret:
            expect(vol["secretName"] == existing_secret, f"{what}: secret volume is {vol['secretName']}, want {existing_secret}")
        else:
            sec = r.get("Secret", vol["secretName"])
            expect(sec, f"{what}: secret volume names Secret/{vol['secretName']}, which is not rendered")
            expect(item["key"] in (sec.get("data") or {}), f"{what}: Secret/{vol['secretName']} lacks key {item['key']}")
    return env


def check_probe(what: str, probe: dict | None, path: str, ports: dict[str, int]) -> None:
    expect(probe and probe.get("httpGet"), f"{what}: no HTTP probe for {path}")
    get = probe["httpGet"]
    expect(get["path"] == path, f"{what}: probe path {get['path']}, want {path}")
    port = get["port"]
    expect(port in ports or port in ports.values(), f"{what}: probe port {port} is not a container port")


def check_deployments(r: Render, config: dict[str, str], existing_secret: str | None) -> None:
    for d in r.of("Deployment"):
        comp = component_of(d)
        what = f"Deployment/{d['metadata']['name']}"
        expect(comp in SUBCOMMANDS, f"{what}: unknown component {comp}")
        tmpl_labels = d["spec"]["template"]["metadata"]["labels"]
        expect(matches(d["spec"]["selector"], tmpl_labels), f"{what}: selector does not match its pods")
        expect(d["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/component") == comp,
               f"{what}: selector does not pin the component")
        ann = d["spec"]["template"]["metadata"].get("annotations") or {}
        expect(re.match(r"^[0-9a-f]{64}$", ann.get("checksum/config", "")), f"{what}: no checksum/config annotation")
        if not existing_secret:
            expect(re.match(r"^[0-9a-f]{64}$", ann.get("checksum/secret", "")), f"{what}: no checksum/secret annotation")
        c = pod_spec(d)["containers"][0]
        expect(c.get("args") == [SUBCOMMANDS[comp]], f"{what}: args {c.get('args')}, want [{SUBCOMMANDS[comp]}]")
        ports = {p["name"]: p["containerPort"] for p in c.get("ports") or []}
        expect("ops" in ports, f"{what}: no ops port")
        expect(config["ATLAS_OPS_ADDR"].rsplit(":", 1)[-1] == str(ports["ops"]), f"{what}: ops port differs from ATLAS_OPS_ADDR")
        if comp == "api":
            expect("http" in ports, f"{what}: no http port")
            expect(config["ATLAS_HTTP_ADDR"].rsplit(":", 1)[-1] == str(ports["http"]), f"{what}: http port differs from ATLAS_HTTP_ADDR")
        check_probe(what + " liveness", c.get("livenessProbe"), "/health", ports)
        check_probe(what + " readiness", c.get("readinessProbe"), "/ready", ports)
        env = check_pod(d, r, config, existing_secret)
        expect(env.get("ATLAS_OPS_ADDR"), f"{what}: ATLAS_OPS_ADDR missing")
        for tsc in pod_spec(d).get("topologySpreadConstraints") or []:
            expect(matches(tsc["labelSelector"], tmpl_labels), f"{what}: a topology spread constraint does not select its own pods")
        for tsc in pod_spec(d).get("topologySpreadConstraints") or []:
            if "matchLabelKeys" in tsc:
                expect(tsc["matchLabelKeys"] == ["pod-template-hash"], f"{what}: unexpected matchLabelKeys")


def check_selectors(r: Render) -> None:
    pods = {component_of(d): d["spec"]["template"]["metadata"]["labels"] for d in r.of("Deployment")}
    for pdb in r.of("PodDisruptionBudget"):
        hit = [c for c, labels in pods.items() if matches(pdb["spec"]["selector"], labels)]
        expect(len(hit) == 1, f"PodDisruptionBudget/{pdb['metadata']['name']} selects {hit}, want one component")
        spec = pdb["spec"]
        expect(("minAvailable" in spec) != ("maxUnavailable" in spec), f"PodDisruptionBudget/{pdb['metadata']['name']}: want exactly one of minAvailable/maxUnavailable")
    for svc in r.of("Service"):
        hit = [c for c, labels in pods.items() if matches({"matchLabels": svc["spec"]["selector"]}, labels)]
        if component_of(svc) == "metrics":
            expect(sorted(hit) == sorted(pods) and svc["spec"].get("clusterIP") == "None",
                   f"Service/{svc['metadata']['name']} selects {hit}, want every component, headless")
            for sm in r.of("ServiceMonitor"):
                expect(matches(sm["spec"]["selector"], svc["metadata"]["labels"]), "ServiceMonitor does not select the metrics Service")
            continue
        expect(hit == ["api"], f"Service/{svc['metadata']['name']} selects {hit}, want [api]")
        api = r.deployment("api")
        names = {p["name"] for p in pod_spec(api)["containers"][0]["ports"]}
        for p in svc["spec"]["ports"]:
            expect(p["targetPort"] in names, f"Service/{svc['metadata']['name']}: targetPort {p['targetPort']} is not a pod port")
    for ing in r.of("Ingress"):
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                b = p["backend"]["service"]
                svc = r.get("Service", b["name"])
                expect(svc, f"Ingress/{ing['metadata']['name']}: backend Service/{b['name']} not rendered")
                expect(b["port"].get("name") in {sp["name"] for sp in svc["spec"]["ports"]},
                       f"Ingress/{ing['metadata']['name']}: backend port is not a Service port")
    for hpa in r.of("HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        dep = r.get(ref["kind"], ref["name"])
        expect(dep, f"HPA/{hpa['metadata']['name']}: target {ref['kind']}/{ref['name']} not rendered")
        expect("replicas" not in dep["spec"], f"Deployment/{ref['name']} sets replicas although an HPA scales it")
        expect(hpa["spec"]["metrics"], f"HPA/{hpa['metadata']['name']}: no metrics")
        expect(hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"], f"HPA/{hpa['metadata']['name']}: min > max")
    for pm in r.of("PodMonitor"):
        hit = sorted(c for c, labels in pods.items() if matches(pm["spec"]["selector"], labels))
        expect(hit == sorted(pods), f"PodMonitor selects {hit}, want every component {sorted(pods)}")
        expect(all(e["port"] == "ops" for e in pm["spec"]["podMetricsEndpoints"]), "PodMonitor does not scrape the ops port")
    for pm in r.of("PodMonitoring"):
        hit = sorted(c for c, labels in pods.items() if matches(pm["spec"]["selector"], labels))
        expect(hit == sorted(pods), f"PodMonitoring selects {hit}, want every component {sorted(pods)}")
        expect(all(e["port"] == "ops" and e["path"] == "/metrics" for e in pm["spec"]["endpoints"]), "PodMonitoring does not scrape /metrics on the ops port")
    for np in r.of("NetworkPolicy"):
        hit = sorted(c for c, labels in pods.items() if matches(np["spec"]["podSelector"], labels))
        expect(hit == sorted(pods), f"NetworkPolicy selects {hit}, want every component")


def check_hooks(r: Render, config: dict[str, str], existing_secret: str | None, sa_created: bool) -> None:
    hooked = [d for d in r.docs if hook(d)]
    for d in hooked:
        expect(hook(d) == "pre-install,pre-upgrade", f"{d['kind']}/{d['metadata']['name']}: hook {hook(d)}")
    jobs = r.of("Job")
    if not jobs:
        expect(not hooked, "hook objects rendered without the migration Job")
        return
    expect(len(jobs) == 1, "want one migration Job")
    job = jobs[0]
    what = f"Job/{job['metadata']['name']}"
    expect(hook(job) == "pre-install,pre-upgrade", f"{what}: not a pre-install/pre-upgrade hook")
    spec = pod_spec(job)
    expect(spec["restartPolicy"] == "Never", f"{what}: restartPolicy is not Never")
    c = spec["containers"][0]
    expect(c["args"] == ["migrate"], f"{what}: args {c['args']}")
    expect(not c.get("envFrom"), f"{what}: uses envFrom, but hooks run before the ConfigMap exists")
    env = check_pod(job, r, {}, existing_secret)
    for k, v in config.items():
        expect(env.get(k) == v, f"{what}: {k}={env.get(k)!r}, ConfigMap has {v!r}")
    vol = next(v["secret"] for v in spec["volumes"] if "secret" in v)
    weight = lambda o: int(o["metadata"]["annotations"].get("helm.sh/hook-weight", "0"))
    if not existing_secret:
        sec = r.get("Secret", vol["secretName"])
        expect(hook(sec), f"{what}: reads Secret/{vol['secretName']}, which is not a hook (it would not exist yet)")
        expect(weight(sec) < weight(job), f"{what}: its Secret is not created before it")
        policy = sec["metadata"]["annotations"].get("helm.sh/hook-delete-policy", "")
        expect("hook-succeeded" in policy and "hook-failed" in policy, f"Secret/{vol['secretName']}: left behind after the hook")
    job_policy = job["metadata"]["annotations"].get("helm.sh/hook-delete-policy", "")
    expect("hook-succeeded" in job_policy, f"{what}: a successful migration Job is left behind (helm uninstall does not delete hooks)")
    sa = spec.get("serviceAccountName", "default")
    account = r.get("ServiceAccount", sa)
    if sa_created and account:
        expect(hook(account) and weight(account) < weight(job), f"{what}: runs as ServiceAccount/{sa}, which is created after the hook")
        expect("before-hook-creation" == account["metadata"]["annotations"].get("helm.sh/hook-delete-policy"),
               f"ServiceAccount/{sa}: a hook account must outlive the hooks (the Job's pods need it)")


# --------------------------------------------------------------------------
# Cases


@dataclass
class Case:
    name: str
    values: list[str] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    # For a good case: extra assertions on the render.
    expect: Callable[[Render], None] | None = None
    kinds: dict[str, int] | None = None
    existing_secret: str | None = None
    sa_created: bool = True
    # For a bad case: the error (regex) that lint or template must report.
    error: str | None = None
    lint_sees_it: bool = True


def ci(name: str) -> str:
    return f"ci/{name}-values.yaml"


def expect_minimal(r: Render) -> None:
    for comp in SUBCOMMANDS:
        d = r.deployment(comp)
        expect(d and d["spec"]["replicas"] == 2, f"{comp}: want 2 replicas")
        expect(len(pod_spec(d)["topologySpreadConstraints"]) == 2, f"{comp}: want zone and node spread")
    api = pod_spec(r.deployment("api"))["containers"][0]
    expect(api["readinessProbe"]["httpGet"]["port"] == "http", "api readiness is not on the http port")
    for comp in ("worker", "audit-consumer", "indexer"):
        c = pod_spec(r.deployment(comp))["containers"][0]
        expect(c["readinessProbe"]["httpGet"]["port"] == "ops", f"{comp} readiness is not on the ops port")
    env = {e["name"] for e in api["env"]}
    expect("ATLAS_CURSOR_SECRET_FILE" not in env, "optional cursor secret mounted although not given")
    cm = r.of("ConfigMap")[0]["data"]
    expect(cm["ATLAS_RATE_LIMIT_ENABLED"] == "true", "rate limits not on by default")
    expect(cm["ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE"] == "120", "public link rate limit default")
    expect(cm["ATLAS_MAX_BODY_BYTES"] == "1048576", f"max body bytes {cm['ATLAS_MAX_BODY_BYTES']!r}")
    expect(cm["ATLAS_IMPORT_MAX_BYTES"] == "52428800", f"import max bytes {cm['ATLAS_IMPORT_MAX_BYTES']!r}")
    expect(cm["ATLAS_IMPORT_ENRICH_WORKERS"] == "2", f"import enrich workers {cm['ATLAS_IMPORT_ENRICH_WORKERS']!r}")
    expect(cm["ATLAS_OPS_ADDR"] == ":9464", "ops port default")
    expect("ATLAS_TRUSTED_PROXIES" not in cm and "ATLAS_CORS_ORIGINS" not in cm, "empty lists rendered")


def expect_full(r: Render) -> None:
    api = r.deployment("api")
    c = pod_spec(api)["containers"][0]
    expect(c["image"].endswith("@sha256:" + "0123456789abcdef" * 4), "image digest not used")
    expect({"name": "ATLAS_DB_MAX_CONNS", "value": "30"} in c["env"], "api extraEnv missing")
    env = {e["name"] for e in c["env"]}
    expect({"ATLAS_CURSOR_SECRET_FILE", "ATLAS_RIVERUI_PASSWORD_FILE"} <= env, "optional secrets not mounted")
    expect(pod_spec(api)["priorityClassName"] == "atlas-critical", "component priorityClassName not used")
    expect(pod_spec(r.deployment("worker"))["priorityClassName"] == "atlas-standard", "global priorityClassName not used")
    expect(r.deployment("audit-consumer")["spec"]["replicas"] == 3, "auditConsumer.replicaCount ignored")
    worker = pod_spec(r.deployment("worker"))
    expect({"name": "archive", "mountPath": "/var/lib/atlas/archive"} in worker["containers"][0]["volumeMounts"],
           "archive volume not mounted in the worker")
    claims = [v["persistentVolumeClaim"]["claimName"] for v in worker["volumes"] if v["name"] == "archive"]
    expect(len(claims) == 1 and claims[0].endswith("-archive"), "archive claim not used")
    expect("nodeAffinity" in pod_spec(r.deployment("audit-consumer"))["affinity"], "component affinity ignored")
    idx = pod_spec(r.deployment("indexer"))["topologySpreadConstraints"]
    expect(len(idx) == 1 and idx[0]["maxSkew"] == 2, "component topologySpreadConstraints ignored")
    for comp in SUBCOMMANDS:
        ann = r.deployment(comp)["spec"]["template"]["metadata"]["annotations"]
        expect("prometheus.io/scrape" not in ann, "prometheus annotations despite metrics.podAnnotations=false")
        expect(ann.get("example.com/owner") == "atlas", "global podAnnotations ignored")
        expect(r.deployment(comp)["metadata"]["labels"].get("team") == "atlas", "commonLabels ignored")
    cm = r.of("ConfigMap")[0]["data"]
    expect(cm["ATLAS_ADMIN_EMAILS"] == "ops@example.com,ada@example.com", "admin emails")
    expect(cm["ATLAS_SOMETHING_NEW"] == "on", "config.extraEnv ignored")
    expect(cm["ATLAS_HTTP_ADDR"] == ":8000" and cm["ATLAS_OPS_ADDR"] == ":9100", "ports not configurable")
    expect(cm["ATLAS_TRUSTED_PROXIES"] == "10.42.0.0/16,192.0.2.10", "trusted proxies")
    expect(cm["ATLAS_CORS_ORIGINS"] == "https://app.example.com", "CORS origins")
    expect(cm["ATLAS_MAX_BODY_BYTES"] == "4194304", f"max body bytes {cm['ATLAS_MAX_BODY_BYTES']!r}")
    expect(cm["ATLAS_RATE_LIMIT_AUTH_PER_MINUTE"] == "5" and cm["ATLAS_RATE_LIMIT_USER_PER_MINUTE"] == "1000000", "rate limits")
    expect(cm["ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE"] == "30", "refresh rate limit")
    expect(cm["ATLAS_SESSION_IDLE_TTL"] == "168h" and cm["ATLAS_SESSION_MAX_TTL"] == "720h", "session lifetimes")
    expect(cm["ATLAS_AUTH_PASSWORD_LOGIN"] == "false", "password login")
    expect(cm["ATLAS_OIDC_ACME_ISSUER"] == "https://login.acme.example" and cm["ATLAS_OIDC_ACME_CLIENT_ID"] == "atlas"
           and cm["ATLAS_OIDC_ACME_SCOPES"] == "openid email profile groups" and cm["ATLAS_OIDC_ACME_ALLOWED_DOMAINS"] == "acme.example"
           and cm["ATLAS_OIDC_ACME_REQUIRED_GROUP"] == "atlas-users" and cm["ATLAS_OIDC_ACME_DISPLAY_NAME"] == "Acme SSO", "OIDC provider")
    expect("ATLAS_OIDC_ACME_CLIENT_SECRET_FILE" in env and "ATLAS_OIDC_PUBLIC_CLIENT_SECRET_FILE" not in env,
           "the OIDC client secret comes from the Secret (and only for the provider that has one)")
    ing = r.of("Ingress")[0]
    expect(ing["spec"]["tls"][0]["secretName"] == "atlas-tls", "ingress TLS")
    expect(ing["spec"]["ingressClassName"] == "nginx", "ingress class")
    hpas = {h["spec"]["scaleTargetRef"]["name"] for h in r.of("HorizontalPodAutoscaler")}
    expect(hpas == {"prod-atlas-api", "prod-atlas-worker"}, f"HPAs for {hpas}")
    job = r.of("Job")[0]
    expect(job["spec"]["ttlSecondsAfterFinished"] == 3600, "migration ttl")


def expect_existing(r: Render) -> None:
    expect(not r.of("Secret"), "Secrets rendered despite secret.existingSecret")
    expect(not r.of("ServiceAccount"), "ServiceAccount rendered despite serviceAccount.create=false")
    for d in r.of("Deployment") + r.of("Job"):
        spec = pod_spec(d)
        expect(spec["serviceAccountName"] == "atlas-runtime", f"{d['metadata']['name']}: existing ServiceAccount not used")
        items = {i["key"] for v in spec["volumes"] if "secret" in v for i in v["secret"]["items"]}
        expect(items == {"DATABASE_URL", "JWT_SECRET", "CURSOR_SECRET", "OIDC_CORP_CLIENT_SECRET"}, f"{d['metadata']['name']}: secret items {items}")
        ann = d["spec"]["template"]["metadata"].get("annotations") or {}
        expect("checksum/secret" not in ann, "checksum/secret although the chart cannot see the existing Secret")


def expect_api_only(r: Render) -> None:
    expect([component_of(d) for d in r.of("Deployment")] == ["api"], "only the api should run")
    expect("topologySpreadConstraints" not in pod_spec(r.deployment("api")), "spread although disabled")


def expect_gcp(r: Render) -> None:
    import json as _json
    want = {"api": "atlas-prd-api", "worker": "atlas-prd-worker", "audit-consumer": "atlas-prd-audit",
            "indexer": "atlas-prd-indexer", "migrate": "atlas-prd-migrate"}
    objs = r.of("Deployment") + r.of("Job")
    expect(len(objs) == 5, "want four Deployments and the migration Job")
    for d in objs:
        comp = component_of(d)
        spec = pod_spec(d)
        sa = r.get("ServiceAccount", spec["serviceAccountName"])
        expect(sa and spec["serviceAccountName"] == f"prod-atlas-{comp}", f"{comp}: runs as {spec['serviceAccountName']}, want its own account")
        gsa = sa["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]
        expect(gsa.startswith(want[comp] + "@"), f"{comp}: Workload Identity annotation {gsa}")
        proxy = spec["initContainers"][0]
        expect(proxy["name"] == "cloud-sql-proxy" and proxy["args"][0] == "my-atlas:europe-west1:atlas-production",
               f"{comp}: no Cloud SQL Auth Proxy for the instance")
        expect("--private-ip" in proxy["args"] and "--address=127.0.0.1" in proxy["args"], f"{comp}: proxy flags {proxy['args']}")
    cert = r.of("ManagedCertificate")[0]
    expect(cert["spec"]["domains"] == ["atlas.example.com"], "managed certificate domains")
    ing = r.of("Ingress")[0]["metadata"]["annotations"]
    expect(ing["networking.gke.io/managed-certificates"] == cert["metadata"]["name"], "Ingress does not name the managed certificate")
    expect(ing["kubernetes.io/ingress.global-static-ip-name"] == "atlas-production-ingress", "Ingress annotations lost")
    sm = r.of("ServiceMonitor")[0]
    expect(sm["metadata"]["labels"].get("release") == "kube-prometheus-stack", "ServiceMonitor labels ignored")
    dash = next(c for c in r.of("ConfigMap") if c["metadata"]["name"].endswith("-grafana-dashboard"))
    expect(dash["metadata"]["labels"].get("grafana_dashboard") == "1", "dashboard ConfigMap lacks the sidecar label")
    panels = _json.loads(dash["data"]["atlas.json"])["panels"]
    expect(len(panels) >= 10 and all(p["targets"] for p in panels), "the Grafana dashboard has no panels")


GOOD = [
    Case("minimal", [ci("minimal")], expect=expect_minimal,
         kinds={"Deployment": 4, "Service": 1, "PodDisruptionBudget": 4, "ConfigMap": 1, "Secret": 2,
                "ServiceAccount": 1, "Job": 1}),
    Case("full", [ci("full")], expect=expect_full,
         kinds={"Deployment": 4, "Service": 1, "PodDisruptionBudget": 4, "ConfigMap": 1, "Secret": 2,
                "ServiceAccount": 1, "Job": 1, "Ingress": 1, "HorizontalPodAutoscaler": 2, "PodMonitor": 1,
                "NetworkPolicy": 1, "PersistentVolumeClaim": 1}),
    Case("existing-secret", [ci("existing-secret")], expect=expect_existing, existing_secret="atlas-prod-credentials",
         sa_created=False, kinds={"Deployment": 4, "Service": 1, "ConfigMap": 1, "Job": 1}),
    Case("gcp", [ci("gcp")], expect=expect_gcp, existing_secret="atlas-secrets",
         kinds={"Deployment": 4, "Service": 2, "PodDisruptionBudget": 4, "ConfigMap": 2, "ServiceAccount": 5,
                "Job": 1, "Ingress": 1, "ManagedCertificate": 1, "PodMonitoring": 1, "ServiceMonitor": 1,
                "NetworkPolicy": 1}),
    Case("api-only", [ci("api-only")], expect=expect_api_only,
         kinds={"Deployment": 1, "Service": 1, "PodDisruptionBudget": 1, "ConfigMap": 1, "Secret": 1, "ServiceAccount": 1}),
]

BAD = [
    Case("defaults", error=r"secret\.databaseUrl is required"),
    Case("short-jwt", [ci("minimal")], ["secret.jwtSecret=too-short"], error=r"/secret/jwtSecret"),
    Case("typo", [ci("minimal")], ["api.replicas=3"], error=r"additional properties 'replicas' not allowed"),
    Case("bad-db-url", [ci("minimal")], ["secret.databaseUrl=mysql://x"], error=r"/secret/databaseUrl"),
    Case("bad-es-url", [ci("minimal")], ["elasticsearch.url=elasticsearch:9200"], error=r"/elasticsearch/url"),
    Case("bad-brokers", [ci("minimal")], ["kafka.brokers=kafka"], error=r"/kafka/brokers"),
    Case("bad-duration", [ci("minimal")], ["config.tokenTTL=1 hour"], error=r"/config/tokenTTL"),
    Case("bad-log-level", [ci("minimal")], ["config.logLevel=verbose"], error=r"/config/logLevel"),
    # (helm misplaces the path of propertyNames errors, so match the name.)
    Case("secret-in-config", [ci("minimal")], ["config.extraEnv.ATLAS_JWT_SECRET=x"], error=r"invalid propertyName 'ATLAS_JWT_SECRET'"),
    Case("override-env", [ci("minimal")], ["config.extraEnv.ATLAS_ENV=development"], error=r"invalid propertyName 'ATLAS_ENV'"),
    Case("negative-replicas", [ci("minimal")], ["worker.replicaCount=-1"], error=r"/worker/replicaCount"),
    Case("same-ports", [ci("minimal")], ["ports.ops=8080"], error=r"ports\.http and ports\.ops must differ"),
    Case("nothing-enabled", [ci("minimal")], ["api.enabled=false", "worker.enabled=false",
         "auditConsumer.enabled=false", "indexer.enabled=false"], error=r"every component is disabled"),
    Case("hpa-min-max", [ci("minimal")], ["api.autoscaling.enabled=true", "api.autoscaling.minReplicas=5",
         "api.autoscaling.maxReplicas=2"], error=r"minReplicas \(5\) is above maxReplicas \(2\)"),
    # helm lint keeps a default that --set ...=null removes, so only template sees this one.
    Case("hpa-no-target", [ci("minimal")], ["api.autoscaling.enabled=true",
         "api.autoscaling.targetCPUUtilizationPercentage=null"], error=r"set targetCPUUtilizationPercentage",
         lint_sees_it=False),
    Case("existing-without-key", [ci("existing-secret")], ["secret.keys.jwtSecret="],
         error=r"secret\.keys\.databaseUrl and secret\.keys\.jwtSecret"),
    Case("bad-digest", [ci("minimal")], ["image.digest=latest"], error=r"/image/digest"),
    Case("bad-proxy", [ci("minimal")], ["config.trustedProxies={10.0.0.0/8,ingress-nginx}"], error=r"/config/trustedProxies/1"),
    Case("bad-origin", [ci("minimal")], ["config.corsOrigins={https://app.example.com/}"], error=r"/config/corsOrigins/0"),
    Case("proxy-without-instance", [ci("minimal")], ["cloudSqlProxy.enabled=true"],
         error=r"cloudSqlProxy\.instanceConnectionName is required"),
    Case("proxy-bad-instance", [ci("minimal")], ["cloudSqlProxy.instanceConnectionName=atlas-db"],
         error=r"/cloudSqlProxy/instanceConnectionName"),
    Case("proxy-port-clash", [ci("gcp")], ["cloudSqlProxy.port=9464"], error=r"cloudSqlProxy\.port must differ"),
    Case("per-component-without-create", [ci("gcp")], ["serviceAccount.create=false"],
         error=r"perComponent\.enabled needs serviceAccount\.create"),
    Case("certificate-without-ingress", [ci("minimal")], ["api.ingress.managedCertificate.enabled=true"],
         error=r"managedCertificate\.enabled needs api\.ingress\.enabled"),
    Case("kafka-sasl-without-protocol", [ci("minimal")], ["kafka.sasl.mechanism=PLAIN"],
         error=r"kafka\.sasl\.mechanism PLAIN needs kafka\.securityProtocol"),
    Case("kafka-plain-without-password", [ci("minimal")], ["kafka.securityProtocol=SASL_SSL", "kafka.sasl.mechanism=PLAIN",
         "kafka.sasl.username=atlas"], error=r"secret\.kafkaSaslPassword is required"),
    Case("kafka-oauth-without-method", [ci("minimal")], ["kafka.securityProtocol=SASL_SSL", "kafka.sasl.mechanism=OAUTHBEARER"],
         error=r"kafka\.sasl\.oauthbearer\.method is required"),
    Case("kafka-unsecured-jwt", [ci("gcp")], ["kafka.sasl.oauthbearer.method=unsecured-jwt"],
         error=r"unsecured-jwt is for local brokers only"),
    Case("kafka-bad-protocol", [ci("minimal")], ["kafka.securityProtocol=TLS"], error=r"/kafka/securityProtocol"),
    Case("sso-only-without-provider", [ci("minimal")], ["config.passwordLogin=false"],
         error=r"config\.passwordLogin: false needs at least one provider"),
    Case("oidc-secret-of-no-provider", [ci("minimal")], ["secret.oidcClientSecrets.acme=x"],
         error=r"client secret for \"acme\", which is not a provider"),
    Case("oidc-bad-name", [ci("minimal")], ["config.oidc[0].name=Acme", "config.oidc[0].issuer=https://a.example",
         "config.oidc[0].clientId=x"], error=r"/config/oidc/0/name"),
]


def run_good(h: Helm, case: Case) -> None:
    lint = h.lint(case.values, case.sets)
    out = lint.stdout + lint.stderr
    expect(lint.returncode == 0, f"helm lint failed:\n{out}")
    # helm lint reports a template's `fail` as [INFO]; for a good case it is an error.
    expect("[WARNING]" not in out and "[ERROR]" not in out and "Fail:" not in out, f"helm lint complained:\n{out}")
    t = h.template(case.values, case.sets)
    expect(t.returncode == 0, f"helm template failed:\n{t.stderr}")
    r = Render(parse_manifests(t.stdout))
    if case.kinds is not None:
        expect(r.kinds() == case.kinds, f"rendered kinds {r.kinds()}, want {case.kinds}")
    check_metadata(r, "prod")
    config = check_configmap(r)
    check_secrets(r)
    check_deployments(r, config, case.existing_secret)
    check_selectors(r)
    check_hooks(r, config, case.existing_secret, case.sa_created)
    check_schemas(r)
    if case.expect:
        case.expect(r)


def container_env(obj: dict, r: Render) -> dict[str, str]:
    """The environment Kubernetes gives the pod's container (ConfigMap, then env)."""
    c = pod_spec(obj)["containers"][0]
    env: dict[str, str] = {}
    for ef in c.get("envFrom") or []:
        env.update(r.get("ConfigMap", ef["configMapRef"]["name"])["data"])
    for e in c.get("env") or []:
        env[e["name"]] = e["value"]
    return env


# Stand-ins for the keys of an existing Secret, which the chart never sees.
EXTERNAL_SECRET_VALUES = {
    "ATLAS_DATABASE_URL": "postgres://atlas:pw@pg.example:5432/atlas?sslmode=require",
    "ATLAS_JWT_SECRET": "j" * 40,
    "ATLAS_CURSOR_SECRET": "c" * 20,
    "ATLAS_RIVERUI_PASSWORD": "r" * 20,
    "ATLAS_ELASTICSEARCH_PASSWORD": "e" * 20,
    "ATLAS_ELASTICSEARCH_API_KEY": base64.b64encode(b"key-id:key-secret").decode(),
    "ATLAS_KAFKA_SASL_PASSWORD": "kafka-password",
    "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET": "oidc-client-secret",
    "ATLAS_OIDC_CORP_CLIENT_SECRET": "corp-client-secret",
}

# A CA certificate standing in for the Secret or ConfigMap elasticsearch.ca names.
TEST_CA = Path(__file__).resolve().parents[2] / "config" / "testdata" / "ca.pem"


def run_atlas_config(h: Helm, atlas: str | None, case: Case) -> None:
    """Atlas itself accepts what each pod gets: `atlas config` (which loads and
    validates the configuration, touching no service) runs with the rendered
    environment and the secret files as Kubernetes would mount them."""
    expect(atlas, "no atlas binary to check the configuration with (scripts/helm builds one)")
    t = h.template(case.values, case.sets)
    expect(t.returncode == 0, t.stderr)
    r = Render(parse_manifests(t.stdout))
    for obj in r.of("Deployment") + r.of("Job"):
        what = f"{obj['kind']}/{obj['metadata']['name']}"
        spec = pod_spec(obj)
        env = container_env(obj, r)
        mount = next(m for m in spec["containers"][0]["volumeMounts"] if m["name"] == "secrets")
        vol = next(v["secret"] for v in spec["volumes"] if v["name"] == "secrets")
        with tempfile.TemporaryDirectory() as secrets_dir:
            for item in vol["items"]:
                var = next(k[:-len("_FILE")] for k, v in env.items()
                           if k.endswith("_FILE") and v == f"{mount['mountPath']}/{item['path']}")
                sec = r.get("Secret", vol["secretName"])
                value = base64.b64decode(sec["data"][item["key"]]) if sec else EXTERNAL_SECRET_VALUES[var].encode()
                Path(secrets_dir, item["path"]).write_bytes(value)
                env[var + "_FILE"] = os.path.join(secrets_dir, item["path"])
            if "ATLAS_ELASTICSEARCH_CA_FILE" in env:
                expect(any(v["name"] == "elasticsearch-ca" for v in spec["volumes"]), f"{what}: CA file without its volume")
                ca = Path(secrets_dir, "elasticsearch-ca.crt")
                ca.write_bytes(TEST_CA.read_bytes())
                env["ATLAS_ELASTICSEARCH_CA_FILE"] = str(ca)
            run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
            p = subprocess.run([atlas, "config"], capture_output=True, text=True, env=run_env, timeout=30)
        expect(p.returncode == 0, f"{what}: atlas rejects its configuration: {p.stderr.strip()}")
        cfg = yaml.safe_load(p.stdout)
        expect(cfg["env"] == "production", f"{what}: atlas runs in {cfg['env']}")
        expect(cfg["ops_addr"] == env["ATLAS_OPS_ADDR"], f"{what}: ops_addr {cfg['ops_addr']}")
        expect(cfg["kafka_brokers"] == env["ATLAS_KAFKA_BROKERS"], f"{what}: kafka_brokers {cfg['kafka_brokers']}")
        expect(cfg["kafka_security_protocol"] == env["ATLAS_KAFKA_SECURITY_PROTOCOL"],
               f"{what}: kafka_security_protocol {cfg['kafka_security_protocol']}")
        expect((cfg.get("kafka_sasl_password") == "[redacted]") == ("ATLAS_KAFKA_SASL_PASSWORD_FILE" in env),
               f"{what}: Kafka SASL password")
        expect(cfg["jwt_secret"] == "[redacted]" and cfg["database_url"] == "[redacted]", f"{what}: secrets not loaded")
        expect(bool(cfg["cursor_secret"]) == ("ATLAS_CURSOR_SECRET_FILE" in env), f"{what}: cursor secret")
        for p in cfg.get("oidc_providers") or []:
            has = f"ATLAS_OIDC_{p['name'].upper()}_CLIENT_SECRET_FILE" in env
            expect((p["client_secret"] == "[redacted]") == has, f"{what}: OIDC client secret of {p['name']}")


def run_bad(h: Helm, case: Case) -> None:
    lint = h.lint(case.values, case.sets)
    t = h.template(case.values, case.sets)
    expect(t.returncode != 0, "helm template accepted bad values")
    expect(re.search(case.error, t.stderr), f"helm template error does not match {case.error!r}:\n{t.stderr}")
    # Schema errors fail lint; a template `fail` shows up in lint as an [INFO] Fail line.
    out = lint.stdout + lint.stderr
    if case.lint_sees_it:
        expect(lint.returncode != 0 or "Fail:" in out, f"helm lint accepted bad values:\n{out}")


def run_validator_catches(h: Helm) -> None:
    """The Kubernetes schema validation is live: a field Kubernetes does not
    know (passed through a free-form value) or a wrong type fails it."""
    for sets, want in ((["api.lifecycle.preStop.exec.minutes=5"], "minutes"),
                       (["worker.livenessProbe.httpGet.port=true"], "port")):
        t = h.template([ci("minimal")], sets)
        expect(t.returncode == 0, t.stderr)
        try:
            check_schemas(Render(parse_manifests(t.stdout)))
        except CheckFailed as e:
            expect(want in str(e), f"unexpected validation error: {e}")
            continue
        raise CheckFailed(f"Kubernetes schema validation accepted {sets}")


def run_rollout(h: Helm) -> None:
    """Changing configuration or secrets changes the pod templates (rolls the pods)."""
    def annotations(*sets: str) -> dict[str, dict]:
        t = h.template([ci("minimal")], list(sets))
        expect(t.returncode == 0, t.stderr)
        r = Render(parse_manifests(t.stdout))
        return {component_of(d): d["spec"]["template"]["metadata"]["annotations"] for d in r.of("Deployment")}
    base = annotations()
    cfg = annotations("config.logLevel=debug")
    sec = annotations("secret.jwtSecret=" + "x" * 40)
    same = annotations("api.replicaCount=3")
    for comp in SUBCOMMANDS:
        expect(base[comp]["checksum/config"] != cfg[comp]["checksum/config"], f"{comp}: config change does not roll pods")
        expect(base[comp]["checksum/secret"] == cfg[comp]["checksum/secret"], f"{comp}: config change alters the secret checksum")
        expect(base[comp]["checksum/secret"] != sec[comp]["checksum/secret"], f"{comp}: secret change does not roll pods")
        expect(base[comp] == same[comp], f"{comp}: a replica change alters pod annotations")


def run_names(h: Helm) -> None:
    """Long release names still give valid object names; names are stable."""
    t = h.template([ci("minimal")], [], release="a-very-long-release-name-for-atlas-in-production-east")
    expect(t.returncode == 0, t.stderr)
    r = Render(parse_manifests(t.stdout))
    check_metadata(r, "a-very-long-release-name-for-atlas-in-production-east")
    t = h.template([ci("minimal")], [], release="atlas")
    names = sorted(d["metadata"]["name"] for d in parse_manifests(t.stdout))
    expect("atlas-api" in names and "atlas-audit-consumer" in names, f"release 'atlas' names: {names}")


def run_notes(h: Helm) -> None:
    """NOTES.txt renders (helm template skips it, so render it through a copy)."""
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "atlas"
        shutil.copytree(h.chart, chart)
        shutil.copy(chart / "templates" / "NOTES.txt", chart / "notes.txt")
        (chart / "templates" / "zz-notes-check.yaml").write_text(
            'notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}\n')
        for values, want in (([ci("minimal")], "port-forward svc/prod-atlas-api"),
                             ([ci("full")], "https://atlas.example.com/"),
                             ([ci("existing-secret")], "WARNING: api.replicaCount is 1")):
            t = h.template([str(h.chart / v) for v in values], [], chart=chart,
                           extra=("--show-only", "templates/zz-notes-check.yaml"))
            expect(t.returncode == 0, f"NOTES.txt does not render:\n{t.stderr}")
            notes = yaml.safe_load(t.stdout)["notes"]
            expect(want in notes, f"NOTES.txt lacks {want!r}:\n{notes}")


def run_schema_current(h: Helm) -> None:
    """values.schema.json is what helm/tests/schema.py generates."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import schema
    have = (h.chart / "values.schema.json").read_text()
    expect(have == schema.render(), "helm/atlas/values.schema.json is stale: run "
           "`python3 helm/tests/schema.py > helm/atlas/values.schema.json`")


def run_package(h: Helm) -> None:
    """The chart packages, with its schema and README and without the CI values."""
    import tarfile
    with tempfile.TemporaryDirectory() as tmp:
        p = h.run("package", str(h.chart), "--destination", tmp)
        expect(p.returncode == 0, f"helm package failed:\n{p.stderr}")
        tgz = next(Path(tmp).glob("atlas-*.tgz"))
        with tarfile.open(tgz) as tf:
            names = set(tf.getnames())
        for want in ("atlas/Chart.yaml", "atlas/values.yaml", "atlas/values.schema.json", "atlas/README.md",
                     "atlas/templates/NOTES.txt"):
            expect(want in names, f"package lacks {want}")
        expect(not any(n.startswith("atlas/ci/") for n in names), "package carries ci/")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--helm", required=True)
    ap.add_argument("--chart", required=True)
    ap.add_argument("--atlas", help="an atlas binary, to check that Atlas accepts the rendered configuration")
    args = ap.parse_args()
    chart = Path(args.chart).resolve()
    atlas = str(Path(args.atlas).resolve()) if args.atlas else None
    with tempfile.TemporaryDirectory() as home:
        # Keep helm away from any kube context and the user's helm settings.
        env = dict(os.environ, KUBECONFIG=os.path.join(home, "kubeconfig"), HELM_CACHE_HOME=home,
                   HELM_CONFIG_HOME=home, HELM_DATA_HOME=home)
        h = Helm(str(Path(args.helm).resolve()), chart, env)
        os.chdir(chart)  # case values are relative to the chart
        checks: list[tuple[str, Callable[[], None]]] = []
        checks += [(f"good/{c.name}", functools.partial(run_good, h, c)) for c in GOOD]
        checks += [(f"atlas-config/{c.name}", functools.partial(run_atlas_config, h, atlas, c)) for c in GOOD]
        checks += [(f"bad/{c.name}", functools.partial(run_bad, h, c)) for c in BAD]
        checks += [("k8s-schema-validation-is-live", functools.partial(run_validator_catches, h)),
                   ("rollout-on-change", functools.partial(run_rollout, h)),
                   ("names", functools.partial(run_names, h)),
                   ("notes", functools.partial(run_notes, h)),
                   ("schema-current", functools.partial(run_schema_current, h)),
                   ("package", functools.partial(run_package, h))]
        def run(fn: Callable[[], None]) -> tuple[str | None, float]:
            start = time.monotonic()
            try:
                fn()
            except CheckFailed as e:
                return str(e), time.monotonic() - start
            except Exception as e:  # a render the checks did not expect is a failure too
                return f"{type(e).__name__}: {e}", time.monotonic() - start
            return None, time.monotonic() - start

        # The checks are independent; most of their time is helm processes.
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(run, [fn for _, fn in checks]))
        failed = 0
        for (name, _), (err, secs) in zip(checks, results):
            if err is None:
                print(f"ok   {name} ({secs:.1f}s)")
            else:
                failed += 1
                print(f"FAIL {name}: {err}")
        print(f"helm: {len(checks) - failed} passed, {failed} failed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
