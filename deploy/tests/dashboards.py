#!/usr/bin/env python3
"""Writes helm/atlas/dashboards/atlas.json, the chart's Grafana dashboard.

The panels come from deploy/terraform/modules/observability/dashboard.yaml,
which Terraform also turns into the Cloud Monitoring dashboard, so the two
show the same queries. Run `python3 deploy/tests/dashboards.py >
helm/atlas/dashboards/atlas.json` after editing the YAML; scripts/deploy
check fails while the file is stale.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "deploy/terraform/modules/observability/dashboard.yaml"
TARGET = ROOT / "helm/atlas/dashboards/atlas.json"

# dashboard.yaml units -> Grafana unit ids.
UNITS = {"req/s": "reqps", "s": "s", "1/s": "ops"}


def panel(i: int, p: dict) -> dict:
    """One time-series panel, two per row like the Cloud Monitoring mosaic."""
    return {
        "id": i + 1,
        "type": "timeseries",
        "title": p["title"],
        "gridPos": {"x": (i % 2) * 12, "y": (i // 2) * 8, "w": 12, "h": 8},
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "fieldConfig": {"defaults": {"unit": UNITS.get(p["unit"], "short"),
                                     "custom": {"axisLabel": p["unit"]}}, "overrides": []},
        "targets": [
            {"refId": chr(ord("A") + j), "expr": q["expr"], "legendFormat": q["legend"],
             "datasource": {"type": "prometheus", "uid": "${datasource}"}}
            for j, q in enumerate(p["queries"])
        ],
    }


def render(source: Path = SOURCE) -> str:
    """The dashboard file's exact text."""
    d = yaml.safe_load(source.read_text())
    dashboard = {
        "title": d["title"],
        "uid": "atlas",
        "tags": ["atlas"],
        "schemaVersion": 39,
        "editable": True,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "1m",
        "templating": {"list": [{"name": "datasource", "label": "Prometheus", "type": "datasource",
                                 "query": "prometheus", "current": {}}]},
        "panels": [panel(i, p) for i, p in enumerate(d["panels"])],
    }
    return json.dumps(dashboard, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
