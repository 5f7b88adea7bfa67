#!/usr/bin/env python3
"""Checks Atlas' Google Cloud deployment offline (scripts/deploy check runs it).

- terraform: `tofu fmt -check`, `tofu test` and `tofu validate` of the
  helm-values module (it has no provider, so it runs here); `tofu init` and
  `tofu validate` of every module and of environment/ against the google and
  ec providers' schemas (deploy/tests/providers, served by the schema-only
  provider S, deploy/tests/schemaprovider; tfvalidate.py), and that they fail
  on known mistakes; a plan of environment/ with each environment's values,
  the providers mocked over those schemas; tflint with the bundled rules, checkov's Terraform
  checks; every checkov skip has a reason.
- helm: for each environment, the helm-values module is applied (offline)
  with that environment's sizes from its env.tfvars; the chart is rendered with
  the values it outputs, and the render must pass kubeconform (strict, the
  Kubernetes schemas that kubernetes-validate ships, plus deploy/tests/schemas
  for GKE's custom resources), the GKE Autopilot Pod rules (autopilot.py), and
  agree with Terraform: the Kubernetes service accounts Workload Identity
  binds exist and carry their component's Google service account, every pod
  runs the Cloud SQL Auth Proxy for the instance, and so on.
- policy: the Autopilot check rejects pods that break each rule.
- observability: the chart's Grafana dashboard is what dashboards.py makes
  of dashboard.yaml; every metric the dashboard and the alerts query is one
  Atlas exports (docs/runbook.md, Metrics); every alert links a runbook
  section that exists.

Usage: check.py --tofu T --tflint L --checkov C --kubeconform K --helm H --hcl-python P --schema-provider S
Exit status 0 when every check passed, 1 otherwise.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import autopilot  # noqa: E402
import dashboards  # noqa: E402
import tfvalidate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "deploy/terraform"
TESTS = ROOT / "deploy/tests"
CHART = ROOT / "helm/atlas"
ENVS = ("staging", "production")
COMPONENT_KEYS = {"api": "api", "worker": "worker", "audit-consumer": "auditConsumer", "indexer": "indexer",
                  "migrate": "migration"}


class CheckFailed(Exception):
    """One failed expectation."""


def expect(cond: object, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def run(cmd: list[str], cwd: Path = ROOT, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def output_of(p: subprocess.CompletedProcess) -> str:
    return (p.stdout + p.stderr).strip()


class Tools:
    """The pinned binaries, and an environment that keeps them off the network and the user's settings."""

    def __init__(self, a: argparse.Namespace, scratch: Path):
        self.tofu, self.tflint, self.checkov = a.tofu, a.tflint, a.checkov
        self.kubeconform, self.helm, self.hcl_python = a.kubeconform, a.helm, a.hcl_python
        self.schema_provider = a.schema_provider
        rc = scratch / "tofurc"
        rc.write_text("")
        self.env = dict(os.environ, TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", TF_CLI_ARGS="-no-color", CHECKPOINT_DISABLE="1",
                        BC_SKIP_MAPPING="TRUE", KUBECONFIG=str(scratch / "kubeconfig"),
                        HELM_CACHE_HOME=str(scratch), HELM_CONFIG_HOME=str(scratch), HELM_DATA_HOME=str(scratch))
        self.scratch = scratch

    def tofu_in(self, directory: Path, *args: str, data_dir: Path) -> subprocess.CompletedProcess:
        return run([self.tofu, f"-chdir={directory}", *args], env=dict(self.env, TF_DATA_DIR=str(data_dir)))


# --------------------------------------------------------------------------
# Terraform


def check_fmt(t: Tools) -> None:
    p = run([t.tofu, "fmt", "-check", "-recursive", "-diff", str(TF)], env=t.env)
    expect(p.returncode == 0, f"tofu fmt -check: these files are not formatted (run `scripts/deploy tofu fmt -recursive deploy/terraform`):\n{output_of(p)}")
    p = run([t.tofu, "fmt", "-check", "-recursive", str(TESTS / "fixtures")], env=t.env)
    expect(p.returncode == 0, f"tofu fmt -check deploy/tests/fixtures:\n{output_of(p)}")


def check_helm_values_module(t: Tools) -> None:
    module = TF / "modules/helm-values"
    with tempfile.TemporaryDirectory(dir=t.scratch) as d:
        for args in (("init", "-backend=false", "-input=false"), ("validate",), ("test",)):
            p = t.tofu_in(module, *args, data_dir=Path(d))
            expect(p.returncode == 0, f"tofu {args[0]} in modules/helm-values:\n{output_of(p)}")
        expect(re.search(r"\b[1-9][0-9]* passed, 0 failed", p.stdout), f"tofu test ran no test:\n{p.stdout}")


def schema_env(t: Tools) -> dict:
    """An environment whose OpenTofu installs the schema provider as every provider
    deploy/tests/providers has a schema of, at the version it came from."""
    if not hasattr(t, "schema_rc"):
        t.schema_rc = tfvalidate.schema_cli_config(t.scratch, [t.tofu], Path(t.schema_provider))
    env = dict(t.env, TF_CLI_CONFIG_FILE=str(t.schema_rc))
    env.pop("TF_CLI_ARGS", None)
    return env


def check_provider_schemas(t: Tools) -> None:
    """Every module and environment/ (both environments' definition) validate against the providers' schemas."""
    versions = {s: d["version"] for s, d in tfvalidate.committed_schemas().items()}
    expect(set(versions) == {"hashicorp/google", "elastic/ec"}, f"deploy/tests/providers holds schemas of {sorted(versions)}")
    copy = tfvalidate.copy_tree(t.scratch)
    dirs = tfvalidate.terraform_dirs(copy)
    expect(copy / "environment" in dirs and len(dirs) >= 12, f"found only {[str(d.relative_to(copy)) for d in dirs]}")
    problems = tfvalidate.validate_all([t.tofu], schema_env(t), copy)
    expect(not problems, f"tofu validate against deploy/tests/providers ({versions}):\n" + "\n".join(problems))


def check_provider_schemas_catch(t: Tools) -> None:
    """The schema check is live: a block written as an attribute, an attribute the
    resource does not export, an unknown argument, a missing required argument and
    a value of the wrong type each fail, naming the file."""
    problems = tfvalidate.mistakes_missed([t.tofu], schema_env(t), t.scratch)
    expect(not problems, "\n".join(problems))


def check_environment_plans(t: Tools) -> None:
    """Each environment's values plan through the whole definition (environment/tests/plan.tftest.hcl,
    providers mocked over their committed schemas): types, every validation, count and for_each."""
    problems = tfvalidate.environment_plans([t.tofu], schema_env(t), t.scratch, ENVS)
    expect(not problems, "\n".join(problems))


def check_tflint(t: Tools) -> None:
    p = run([t.tflint, "--recursive", "--config", str(TF / ".tflint.hcl"), "--format", "compact"], cwd=TF, env=t.env)
    expect(p.returncode == 0, f"tflint:\n{output_of(p)}")


def check_tflint_catches(t: Tools) -> None:
    """tflint is live: an undocumented, unused variable fails it."""
    d = t.scratch / "tflint-bad"
    d.mkdir(exist_ok=True)
    (d / "versions.tf").write_text('terraform {\n  required_version = ">= 1.9"\n}\n')
    (d / "variables.tf").write_text('variable "region" {\n  type = string\n}\n')
    (d / "main.tf").write_text("")
    (d / "outputs.tf").write_text("")
    p = run([t.tflint, "--config", str(TF / ".tflint.hcl"), "--format", "compact"], cwd=d, env=t.env)
    out = output_of(p)
    expect(p.returncode != 0 and "terraform_documented_variables" in out and "terraform_unused_declarations" in out,
           f"tflint accepted an undocumented, unused variable:\n{out}")


def check_checkov(t: Tools) -> None:
    p = run([t.checkov, "-d", str(TF), "--framework", "terraform", "--compact", "--quiet", "--skip-download",
             "--output", "json"], env=t.env)
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise CheckFailed(f"checkov gave no JSON report:\n{output_of(p)[-3000:]}")
    reports = report if isinstance(report, list) else [report]
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
              for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    expect(not failed, "checkov failed checks:\n" + "\n".join(failed))
    passed = sum(r.get("summary", {}).get("passed", 0) for r in reports)
    expect(passed >= 50, f"checkov passed only {passed} checks: did it scan the modules?")
    expect(p.returncode == 0, f"checkov exited {p.returncode}:\n{output_of(p)[-2000:]}")


def check_checkov_catches(t: Tools) -> None:
    """checkov is live: a Cloud SQL instance with a public address and no TLS fails it."""
    d = t.scratch / "checkov-bad"
    d.mkdir(exist_ok=True)
    (d / "main.tf").write_text('''resource "google_sql_database_instance" "bad" {
  name             = "bad"
  database_version = "POSTGRES_16"
  settings {
    tier = "db-custom-1-3840"
    ip_configuration {
      ipv4_enabled = true
      authorized_networks {
        value = "0.0.0.0/0"
      }
    }
  }
}
''')
    p = run([t.checkov, "-d", str(d), "--framework", "terraform", "--compact", "--quiet", "--skip-download",
             "--output", "json"], env=t.env)
    failed = {c["check_id"] for c in json.loads(p.stdout).get("results", {}).get("failed_checks", [])}
    expect(p.returncode != 0 and {"CKV_GCP_6", "CKV_GCP_11"} <= failed,
           f"checkov did not flag a public Cloud SQL instance without TLS (failed: {sorted(failed)})")


def check_skips_have_reasons(_: Tools) -> None:
    skips = 0
    for f in sorted(TF.rglob("*.tf")):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            m = re.search(r"checkov:skip=([A-Z0-9_]+)(?::(.*))?$", line)
            if m:
                skips += 1
                reason = (m.group(2) or "").strip()
                expect(len(reason) >= 20, f"{f.relative_to(ROOT)}:{n}: checkov skip {m.group(1)} without a reason")
    expect(skips > 0, "no checkov skip found: the reason check would pass vacuously")


# --------------------------------------------------------------------------
# Terraform outputs -> Helm values -> rendered manifests


def env_settings(t: Tools, env: str) -> dict:
    """The values an environment gives the shared definition (envs/ENV/env.tfvars, parsed with python-hcl2)."""
    code = ("import hcl2, json, sys\n"
            "print(json.dumps(hcl2.load(open(sys.argv[1]))))")
    p = run([t.hcl_python, "-c", code, str(TF / "envs" / env / "env.tfvars")], env=t.env)
    expect(p.returncode == 0, f"parse envs/{env}/env.tfvars: {output_of(p)}")
    # Older python-hcl2 wraps each value in a one-element list.
    unwrap = lambda v: v[0] if isinstance(v, list) and len(v) == 1 else v
    return {k: unwrap(v) for k, v in json.loads(p.stdout).items()}


def terraform_values(t: Tools, env: str) -> tuple[dict, dict, dict, dict]:
    """Applies the fixture for one environment; returns (settings, values, KSAs, GSAs)."""
    s = env_settings(t, env)
    fixture = TESTS / "fixtures/helm-values"
    with tempfile.TemporaryDirectory(dir=t.scratch) as d:
        d = Path(d)
        (d / "vars.json").write_text(json.dumps({"environment": s["environment"], "replicas": s["replicas"],
                                                  "db_max_conns": s["db_max_conns"], "short_name": s["short_name"]}))
        for args in (("init", "-backend=false", "-input=false"),
                     ("apply", "-auto-approve", "-input=false", f"-state={d}/tfstate", f"-var-file={d}/vars.json"),
                     ("output", "-json", f"-state={d}/tfstate")):
            p = t.tofu_in(fixture, *args, data_dir=d / "data")
            expect(p.returncode == 0, f"tofu {args[0]} of the helm-values fixture ({env}):\n{output_of(p)}")
        out = json.loads(p.stdout)
    expect(not (fixture / "terraform.tfstate").exists(), "the fixture left a state file behind")
    values = yaml.safe_load(out["values_yaml"]["value"])
    return s, values, out["kubernetes_service_accounts"]["value"], out["service_account_emails"]["value"]


def helm_template(t: Tools, values: dict, release: str = "atlas", namespace: str = "atlas") -> list[dict]:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=t.scratch, delete=False) as f:
        yaml.safe_dump(values, f)
    p = run([t.helm, "template", release, str(CHART), "--namespace", namespace, "--values", f.name], env=t.env)
    os.unlink(f.name)
    expect(p.returncode == 0, f"helm template with the Terraform values failed:\n{p.stderr}")
    return [d for d in yaml.safe_load_all(p.stdout) if d]


def standalone_schemas(t: Tools, docs: list[dict], kube_version: str) -> Path:
    """A schema directory for kubeconform: kubernetes-validate's strict schemas
    of the rendered kinds, made standalone (its files $ref a shared
    _definitions.json, which kubeconform does not resolve from local files)."""
    import kubernetes_validate
    source = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{kube_version}-local-strict"
    expect(source.is_dir(), f"kubernetes-validate has no schemas for Kubernetes {kube_version}")
    target = t.scratch / "schemas" / f"v{kube_version}-local-strict"
    target.mkdir(parents=True, exist_ok=True)
    local_ref = re.compile(r'"\$ref": "[^"#]*_definitions\.json#')
    defs = json.loads(local_ref.sub('"$ref": "#', (source / "_definitions.json").read_text()))["$defs"]
    for d in docs:
        group, _, version = d["apiVersion"].rpartition("/")
        name = f"{d['kind'].lower()}-{group.split('.')[0] + '-' if group else ''}{version}.json"
        if not (source / name).exists() or (target / name).exists():
            continue
        schema = json.loads(local_ref.sub('"$ref": "#', (source / name).read_text()))
        schema["$defs"] = defs
        (target / name).write_text(json.dumps(schema))
    return t.scratch / "schemas"


def kubeconform(t: Tools, docs: list[dict], kube_version: str = "1.30.0") -> None:
    schemas = standalone_schemas(t, docs, kube_version)
    locations = [
        str(schemas) + "/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
        str(TESTS / "schemas") + "/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
    ]
    args = [t.kubeconform, "-strict", "-summary", "-output", "text", "-kubernetes-version", kube_version]
    for loc in locations:
        args += ["-schema-location", loc]
    p = subprocess.run(args + ["-"], input=yaml.safe_dump_all(docs), capture_output=True, text=True, env=t.env, timeout=120)
    expect(p.returncode == 0, f"kubeconform:\n{output_of(p)}")
    m = re.search(r"Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)", p.stdout)
    expect(m and int(m.group(1)) == len(docs) and m.group(4) == "0", f"kubeconform did not validate every document:\n{p.stdout}")


def pods(docs: list[dict]) -> list[dict]:
    return [d for d in docs if autopilot.pod_spec(d) is not None]


def check_environment(t: Tools, env: str) -> None:
    s, values, ksas, gsas = terraform_values(t, env)
    # The Secret deploy/README.md creates from Secret Manager.
    docs = helm_template(t, values)
    kubeconform(t, docs, "1.30.0")
    kubeconform(t, docs, "1.37.0")
    bad = [v for d in docs for v in autopilot.violations(d)]
    expect(not bad, "the chart breaks GKE Autopilot's rules:\n" + "\n".join(bad))

    by_kind: dict[str, list[dict]] = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    accounts = {d["metadata"]["name"]: d for d in by_kind.get("ServiceAccount", [])}
    # Workload Identity binds exactly the accounts the chart creates, and each
    # carries its own component's Google service account.
    expect(set(accounts) == set(ksas.values()), f"ServiceAccounts {sorted(accounts)}, Terraform binds {sorted(ksas.values())}")
    for component, ksa in ksas.items():
        ann = accounts[ksa]["metadata"].get("annotations") or {}
        expect(ann.get("iam.gke.io/gcp-service-account") == gsas[component],
               f"ServiceAccount/{ksa} is annotated {ann.get('iam.gke.io/gcp-service-account')}, want {gsas[component]}")
    for d in pods(docs):
        spec = autopilot.pod_spec(d)
        comp = d["metadata"]["labels"]["app.kubernetes.io/component"]
        what = f"{d['kind']}/{d['metadata']['name']}"
        expect(spec.get("serviceAccountName") == ksas[comp], f"{what} runs as {spec.get('serviceAccountName')}, want {ksas[comp]}")
        proxy = [c for c in spec.get("initContainers") or [] if c["name"] == "cloud-sql-proxy"]
        expect(proxy and proxy[0].get("restartPolicy") == "Always", f"{what}: no Cloud SQL Auth Proxy sidecar")
        expect(values["cloudSqlProxy"]["instanceConnectionName"] in proxy[0]["args"], f"{what}: proxy not pointed at the instance")
        expect("--private-ip" in proxy[0]["args"], f"{what}: proxy would try the instance's public IP, which it has none")
        c = spec["containers"][0]
        expect(c["image"] == f"{values['image']['repository']}@{values['image']['digest']}", f"{what}: image {c['image']}")
        if d["kind"] == "Deployment":
            key = COMPONENT_KEYS[comp]
            expect(d["spec"]["replicas"] == s["replicas"][key], f"{what}: {d['spec']['replicas']} replicas, envs/{env}/env.tfvars asks {s['replicas'][key]}")
    cm = next(d for d in by_kind["ConfigMap"] if d["metadata"]["name"] == "atlas-config")["data"]
    expect(cm["ATLAS_KAFKA_BROKERS"] == values["kafka"]["brokers"], "Kafka brokers not from Terraform")
    expect(cm.get("ATLAS_KAFKA_SECURITY_PROTOCOL") == "SASL_SSL" and cm.get("ATLAS_KAFKA_SASL_MECHANISM") == "OAUTHBEARER"
           and cm.get("ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD") == "google",
           "Kafka is not SASL_SSL with Google's OAUTHBEARER tokens (Google's managed Kafka takes nothing else)")
    expect(cm["ATLAS_ELASTICSEARCH_URL"] == values["elasticsearch"]["url"], "Elasticsearch URL not from Terraform")
    expect(cm["ATLAS_DB_MAX_CONNS"] == str(s["db_max_conns"]), "ATLAS_DB_MAX_CONNS not the environment's")
    pm = by_kind.get("PodMonitoring", [])
    expect(len(pm) == 1 and pm[0]["spec"]["endpoints"][0]["port"] == "ops", "no PodMonitoring of the ops port")
    ing = by_kind["Ingress"][0]
    host = values["api"]["ingress"]["hosts"][0]["host"]
    cert = by_kind.get("ManagedCertificate", [])
    expect(cert and cert[0]["spec"]["domains"] == [host], f"ManagedCertificate does not cover {host}")
    ann = ing["metadata"]["annotations"]
    expect(ann.get("networking.gke.io/managed-certificates") == cert[0]["metadata"]["name"], "Ingress does not use the managed certificate")
    expect(ann.get("kubernetes.io/ingress.global-static-ip-name", "").endswith("-ingress"), "Ingress does not use the reserved address")
    expect(ing["spec"].get("ingressClassName") == "gce", "Ingress is not GKE's (gce)")
    expect(not by_kind.get("Secret"), "the chart renders a Secret although the values name the existing one")


def check_kubeconform_catches(t: Tools) -> None:
    """kubeconform is live: unknown fields in core kinds and in the GKE custom resources fail."""
    _, values, _, _ = terraform_values(t, "staging")
    docs = helm_template(t, values)
    kubeconform(t, docs)  # the unbroken render passes, so the failures below are the fields'
    for kind, field, mutate in (
            ("Deployment", "hostNetwrk", lambda d: d["spec"]["template"]["spec"].__setitem__("hostNetwrk", True)),
            ("PodMonitoring", "intervall", lambda d: d["spec"]["endpoints"][0].__setitem__("intervall", "30s")),
            ("ManagedCertificate", "domain", lambda d: d["spec"].__setitem__("domain", ["x.example.com"]))):
        broken = copy.deepcopy(docs)
        mutate(next(d for d in broken if d["kind"] == kind))
        try:
            kubeconform(t, broken)
        except CheckFailed as e:
            expect(field in str(e) and "Invalid: 1," in str(e), f"kubeconform failed on the {kind} for another reason:\n{e}")
            continue
        raise CheckFailed(f"kubeconform accepted an unknown field {field} in a {kind}")


# --------------------------------------------------------------------------
# The Autopilot policy rejects bad pods


def good_pod() -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                        "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}],
        "initContainers": [{"name": "sidecar", "image": "y", "restartPolicy": "Always",
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


BAD_PODS: list[tuple[str, Callable[[dict], None], str]] = [
    ("privileged", lambda p: p["spec"]["containers"][0]["securityContext"].__setitem__("privileged", True), "privileged is not allowed"),
    ("host network", lambda p: p["spec"].__setitem__("hostNetwork", True), "hostNetwork is not allowed"),
    ("host PID", lambda p: p["spec"].__setitem__("hostPID", True), "hostPID is not allowed"),
    ("host IPC", lambda p: p["spec"].__setitem__("hostIPC", True), "hostIPC is not allowed"),
    ("hostPath", lambda p: p["spec"].__setitem__("volumes", [{"name": "h", "hostPath": {"path": "/var/run"}}]), "hostPath"),
    ("hostPort", lambda p: p["spec"]["containers"][0].__setitem__("ports", [{"containerPort": 80, "hostPort": 80}]), "hostPort 80"),
    ("NET_ADMIN", lambda p: p["spec"]["containers"][0]["securityContext"]["capabilities"]["add"].append("NET_ADMIN"), "capability NET_ADMIN"),
    ("SYS_ADMIN in a sidecar", lambda p: p["spec"]["initContainers"][0].__setitem__("securityContext", {"capabilities": {"add": ["SYS_ADMIN"]}}), "sidecar: capability SYS_ADMIN"),
    ("no memory request", lambda p: p["spec"]["containers"][0]["resources"]["requests"].pop("memory"), "no memory request"),
    ("sidecar without requests", lambda p: p["spec"]["initContainers"][0].pop("resources"), "sidecar: no cpu request"),
    ("unsafe sysctl", lambda p: p["spec"].__setitem__("securityContext", {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}), "sysctl kernel.msgmax"),
]


def check_policy_rejects_bad_pods(_: Tools) -> None:
    expect(autopilot.violations(good_pod()) == [], f"a compliant pod is rejected: {autopilot.violations(good_pod())}")
    for name, mutate, want in BAD_PODS:
        pod = good_pod()
        mutate(pod)
        got = autopilot.violations(pod)
        expect(any(want in v for v in got), f"{name}: the policy check did not say {want!r} (it said {got})")
    # Pod templates are found in every workload kind, not only bare Pods.
    dep = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": good_pod()}}
    dep["spec"]["template"]["spec"]["hostNetwork"] = True
    expect(autopilot.violations(dep), "a Deployment's pod template is not checked")


# --------------------------------------------------------------------------
# Dashboard and alerts


def runbook_metrics() -> set[str]:
    """The metric names docs/runbook.md's Metrics table spells out in full."""
    names = set()
    for line in (ROOT / "docs/runbook.md").read_text().splitlines():
        if line.startswith("| `atlas_"):
            names.update(re.findall(r"`(atlas_[a-z_]+)", line.split("|")[1]))
    return names


def queried_metrics(expr: str) -> set[str]:
    return {re.sub(r"_(bucket|sum|count)$", "", m) for m in re.findall(r"\batlas_[a-z_]+", expr)}


def check_dashboard(_: Tools) -> None:
    have = (CHART / "dashboards/atlas.json").read_text()
    expect(have == dashboards.render(), "helm/atlas/dashboards/atlas.json is stale: run "
           "`python3 deploy/tests/dashboards.py > helm/atlas/dashboards/atlas.json`")
    known = runbook_metrics()
    expect("atlas_http_requests_total" in known and "atlas_consumer_lag_records" in known,
           f"could not read the runbook's metrics table: {sorted(known)}")
    d = yaml.safe_load((TF / "modules/observability/dashboard.yaml").read_text())
    titles = " ".join(p["title"].lower() for p in d["panels"])
    for topic in ("api requests", "errors", "latency", "outbox backlog", "publish latency", "consumer lag",
                  "index drift", "jobs not completed", "job failures", "postgres connections"):
        expect(topic in titles, f"the dashboard has no panel about {topic}")
    a = yaml.safe_load((TF / "modules/observability/alerts.yaml").read_text())
    exprs = [q["expr"] for p in d["panels"] for q in p["queries"]] + [x["expr"] for x in a["alerts"]]
    for e in exprs:
        unknown = queried_metrics(e) - known
        expect(not unknown, f"{e}: Atlas exports no metric {sorted(unknown)} (docs/runbook.md, Metrics)")


def github_slug(heading: str) -> str:
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def check_alert_runbook_links(_: Tools) -> None:
    headings = {github_slug(m.group(1)) for m in re.finditer(r"^#{2,4} (.+)$", (ROOT / "docs/runbook.md").read_text(), re.M)}
    a = yaml.safe_load((TF / "modules/observability/alerts.yaml").read_text())
    alerts = a["alerts"] + [a["uptime"]]
    expect(len(a["alerts"]) >= 6, "fewer alerts than the runbook's list")
    for x in alerts:
        expect(x["runbook"] in headings, f"alert {x['id']} links #{x['runbook']}, which is no heading of docs/runbook.md")
    expect(len({x["id"] for x in alerts}) == len(alerts), "two alerts share an id")


# --------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("tofu", "tflint", "checkov", "kubeconform", "helm", "hcl-python", "schema-provider"):
        ap.add_argument(f"--{name}", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        t = Tools(args, Path(scratch))
        checks: list[tuple[str, Callable[[Tools], None]]] = [
            ("terraform/fmt", check_fmt),
            ("terraform/helm-values-module", check_helm_values_module),
            ("terraform/provider-schemas", check_provider_schemas),
            ("terraform/provider-schemas-are-live", check_provider_schemas_catch),
            ("terraform/environment-plans", check_environment_plans),
            ("terraform/tflint", check_tflint),
            ("terraform/tflint-is-live", check_tflint_catches),
            ("terraform/checkov", check_checkov),
            ("terraform/checkov-is-live", check_checkov_catches),
            ("terraform/checkov-skips-have-reasons", check_skips_have_reasons),
            *[(f"helm/{env}", lambda t, env=env: check_environment(t, env)) for env in ENVS],
            ("helm/kubeconform-is-live", check_kubeconform_catches),
            ("policy/autopilot-rejects-bad-pods", check_policy_rejects_bad_pods),
            ("observability/dashboard", check_dashboard),
            ("observability/alert-runbook-links", check_alert_runbook_links),
        ]
        failed = 0
        for name, fn in checks:
            start = time.monotonic()
            try:
                fn(t)
            except CheckFailed as e:
                failed += 1
                print(f"FAIL {name}: {e}", flush=True)
                continue
            except Exception as e:  # an unexpected shape is a failure too
                failed += 1
                print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
                continue
            print(f"ok   {name} ({time.monotonic() - start:.1f}s)", flush=True)
        print(f"deploy: {len(checks) - failed} passed, {failed} failed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
