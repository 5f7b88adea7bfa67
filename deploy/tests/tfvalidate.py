"""`tofu init` + `tofu validate` of every module and of the environments'
definition, against given providers (check.py: the schema provider serving
deploy/tests/providers; providers/regenerate: the real providers).

The providers are installed from a filesystem mirror in a scratch directory
(a CLI configuration with no other installation method: no network), and
OpenTofu runs in a copy of deploy/terraform, so no lock file or .terraform
lands in the tree.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "deploy/terraform"
PROVIDERS = ROOT / "deploy/tests/providers"
REGISTRY = "registry.opentofu.org"


@dataclass
class Provider:
    """One provider package: SOURCE (namespace/type) at VERSION, the binary
    to run, and files to put beside it."""
    source: str
    version: str
    binary: Path
    extra: dict[str, bytes]


def committed_schemas() -> dict[str, dict]:
    """deploy/tests/providers/*.json by provider source (hashicorp/google ...)."""
    out = {}
    for f in sorted(PROVIDERS.glob("*.json")):
        d = json.loads(f.read_text())
        out[d["source"]] = d
    return out


def terraform_dirs(tree: Path = TF) -> list[Path]:
    """Every directory of .tf files below TREE (the modules and environment/)."""
    return sorted({f.parent for f in tree.rglob("*.tf") if ".terraform" not in f.parts})


def platform(tofu: list[str]) -> str:
    p = subprocess.run([*tofu, "version", "-json"], capture_output=True, text=True,
                       env=dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull))
    return json.loads(p.stdout)["platform"]


def cli_config(scratch: Path, tofu: list[str], providers: list[Provider]) -> Path:
    """Writes a filesystem mirror of PROVIDERS and a CLI configuration that installs from it only."""
    mirror = scratch / "mirror"
    plat = platform(tofu)
    for p in providers:
        typ = p.source.split("/")[1]
        d = mirror / REGISTRY / p.source / p.version / plat
        d.mkdir(parents=True, exist_ok=True)
        exe = d / f"terraform-provider-{typ}_v{p.version}"
        shutil.copyfile(p.binary, exe)
        exe.chmod(0o755)
        for name, data in p.extra.items():
            (d / name).write_bytes(data)
    rc = scratch / "mirror.tofurc"
    include = ", ".join(f'"{REGISTRY}/{p.source}"' for p in providers)
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{mirror}"\n'
                  f'    include = [{include}]\n  }}\n}}\n')
    return rc


def copy_tree(scratch: Path, tree: Path = TF) -> Path:
    """A copy of TREE (deploy/terraform) in SCRATCH without working files."""
    target = scratch / "terraform"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(tree, target, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*"))
    return target


def diagnostics(out: str, directory: Path, copy: Path, shown: Path) -> list[str]:
    """`tofu validate -json` diagnostics as `path:line: summary: detail`, the path as in the repository."""
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        return [out.strip()]
    lines = []
    for d in report.get("diagnostics", []):
        where = str(shown / directory.relative_to(copy))
        r = d.get("range")
        if r:
            f = os.path.normpath(directory / r["filename"])
            where = f"{shown / os.path.relpath(f, copy)}:{r['start']['line']}"
        detail = re.sub(r"\s+", " ", d.get("detail", "")).strip()
        lines.append(f"{where}: {d['severity']}: {d['summary']}" + (f": {detail}" if detail else ""))
    return lines


def validate_all(tofu: list[str], env: dict, copy: Path, shown: Path = Path("deploy/terraform"),
                 only: list[str] | None = None) -> list[str]:
    """Runs init and validate in every directory of COPY (or ONLY those, relative to it);
    returns the problems (errors and warnings)."""
    problems = []
    for d in [copy / o for o in only] if only else terraform_dirs(copy):
        name = shown / d.relative_to(copy)
        p = subprocess.run([*tofu, f"-chdir={d}", "init", "-backend=false", "-input=false", "-no-color"],
                           capture_output=True, text=True, env=env, timeout=300)
        if p.returncode != 0:
            problems.append(f"tofu init in {name}:\n{(p.stdout + p.stderr).strip()}")
            continue
        p = subprocess.run([*tofu, f"-chdir={d}", "validate", "-json", "-no-color"],
                           capture_output=True, text=True, env=env, timeout=300)
        found = diagnostics(p.stdout, d, copy, shown)
        if p.returncode != 0 or found:
            problems.extend(found or [f"tofu validate in {name} exited {p.returncode}: {p.stderr.strip()}"])
    # A module's problem shows again through environment/, which calls it: once is enough.
    return list(dict.fromkeys(problems))


def schema_cli_config(scratch: Path, tofu: list[str], schema_provider: Path) -> Path:
    """A CLI configuration installing SCHEMA_PROVIDER as every provider deploy/tests/providers
    has a schema of, at the version the schema came from, with that schema beside it."""
    return cli_config(scratch, tofu, [Provider(source, d["version"], schema_provider, {"schema.json": json.dumps(d).encode()})
                                      for source, d in committed_schemas().items()])


# Mistakes validation must catch: (module, file, text, replacement, the failure names).
MISTAKES = [
    ("modules/elasticsearch", "main.tf", "  rule {\n    source = google_compute_forwarding_rule.psc.psc_connection_id\n  }\n",
     "  rule = [{\n    source = google_compute_forwarding_rule.psc.psc_connection_id\n  }]\n",
     "deploy/terraform/modules/elasticsearch/main.tf:"),
    ("modules/kafka", "outputs.tf", "google_managed_kafka_cluster.this.cluster_id",
     "google_managed_kafka_cluster.this.bootstrap_address", "deploy/terraform/modules/kafka/outputs.tf:"),
    ("modules/cloudsql", "main.tf", 'resource "google_sql_database" "atlas" {\n',
     'resource "google_sql_database" "atlas" {\n  collations = "C"\n', "deploy/terraform/modules/cloudsql/main.tf:"),
    ("modules/cloudsql", "main.tf", '  name     = "atlas"\n}', "}", "deploy/terraform/modules/cloudsql/main.tf:"),
    ("modules/kafka", "main.tf", "  replication_factor = 3\n", '  replication_factor = "three"\n',
     "deploy/terraform/modules/kafka/main.tf:"),
]


def mistakes_missed(tofu: list[str], env: dict, scratch: Path) -> list[str]:
    """Puts each of MISTAKES into a copy of deploy/terraform; returns those validation did not report."""
    missed = []
    for module, name, text, broken, want in MISTAKES:
        copy = copy_tree(scratch)
        f = copy / module / name
        src = f.read_text()
        if text not in src:
            missed.append(f"{module}/{name} no longer holds {text!r}: update tfvalidate.MISTAKES")
            continue
        f.write_text(src.replace(text, broken, 1))
        problems = validate_all(tofu, env, copy, only=[module])
        if not any(p.startswith(want) for p in problems):
            missed.append(f"tofu validate did not fail in {want.rstrip(':')} on {broken.strip()!r}:\n" + "\n".join(problems))
    return missed


def environment_plans(tofu: list[str], env: dict, scratch: Path, envs: tuple[str, ...]) -> list[str]:
    """Runs environment/tests (a plan, providers mocked) with each environment's values; returns the failures."""
    copy = copy_tree(scratch)
    d = copy / "environment"
    p = subprocess.run([*tofu, f"-chdir={d}", "init", "-backend=false", "-input=false", "-no-color"],
                       capture_output=True, text=True, env=env, timeout=300)
    if p.returncode != 0:
        return [f"tofu init in environment/:\n{(p.stdout + p.stderr).strip()}"]
    failed = []
    for e in envs:
        p = subprocess.run([*tofu, f"-chdir={d}", "test", "-no-color", f"-var-file=../envs/{e}/env.tfvars",
                            f"-var-file=../envs/{e}/terraform.tfvars.example"],
                           capture_output=True, text=True, env=env, timeout=300)
        out = (p.stdout + p.stderr).strip()
        if p.returncode != 0 or not re.search(r"\b[1-9][0-9]* passed, 0 failed", out):
            failed.append(f"planning environment/ with envs/{e}/env.tfvars and terraform.tfvars.example:\n{out}")
        elif "undeclared variable" in out:
            failed.append(f"envs/{e} sets a variable environment/ does not declare:\n{out}")
    return failed
