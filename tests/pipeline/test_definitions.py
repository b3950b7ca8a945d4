"""The Dagster definitions load cleanly and their asset keys / check names are pinned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def _shape(definitions: dg.Definitions) -> dict[str, object]:
    graph = definitions.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(c.name for c in graph.get_check_keys_for_assets({key})),
            "partitions": str(node.partitions_def) if node.partitions_def else None,
        }
    return {
        "assets": assets,
        "jobs": sorted(j.name for j in definitions.jobs or []),
        "schedules": sorted(s.name for s in definitions.schedules or []),
        "sensors": sorted(s.name for s in definitions.sensors or []),
    }


def test_asset_keys_and_check_names_match_snapshot(definitions: dg.Definitions) -> None:
    shape = _shape(definitions)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(shape, indent=2, sort_keys=True) + "\n")
    assert shape == json.loads(SNAPSHOT.read_text())


def test_asset_metadata_describes_the_contract(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    spec = graph.get(dg.AssetKey(["silver", "customers"]))
    schema = spec.metadata["dagster/column_schema"]
    email = next(c for c in schema.columns if c.name == "email")
    assert email.tags == {"pii": ""} and not email.constraints.nullable
    assert email.constraints.unique
    assert spec.owners == ["customer-analytics@example.com", "team:customer-analytics"]
    assert spec.tags["pii"] == "true" and spec.tags["domain"] == "commerce"
    assert spec.kinds >= {"sql"}
    assert spec.code_version and len(spec.code_version) == 16
    assert graph.get(dg.AssetKey(["bronze", "raw_customer_events"])).freshness_policy
    assert spec.metadata["catalog_page"].value.endswith("catalog/contract-commerce.customers.html")
    lineage = spec.metadata["column_lineage"].value
    assert "| `email` | `bronze.raw_customers.email` | `gold.customer_profile.email_domain` |" in (
        lineage
    )
    assert "rows of `gold.customer_profile`, `silver.customer_events`" in lineage


def test_dagster_cli_validates_the_workspace(project_root: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
