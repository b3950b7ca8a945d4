"""Every `datapact generate --breach` kind is caught by its target check and by no other."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from datapact_dagster.checks.result import PII_MASK
from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.sample import BREACH_KINDS, HISTORY_BREACHES
from tests.pipeline.conftest import materialize_tables


# a history breach is caught only after clean runs: tests/pipeline/test_volume_anomaly.py
@pytest.mark.parametrize("kind", [k for k in BREACH_KINDS if k not in HISTORY_BREACHES])
def test_breach_is_caught_by_exactly_its_target_check(
    kind: str,
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    resource_for: Callable[[str, Path], DataPactResource],
    instance: dg.DagsterInstance,
    tmp_path: Path,
) -> None:
    landing = landing_factory(kind)
    manifest = json.loads((landing / "_manifest.json").read_text())
    (planted,) = manifest["breaches"]
    resource = resource_for(f"duckdb:///{tmp_path / 'wh.duckdb'}", landing)

    result = materialize_tables(definitions, resource, instance, dg.AssetSelection.groups("bronze"))

    failed = [
        e
        for e in result.get_asset_check_evaluations()
        if not e.passed and not e.check_name.endswith("__contract_in_force")
    ]
    assert {e.check_name for e in failed} == {planted["target_check"]}
    (evaluation,) = failed
    # a blocking (error) failure also fails the breaker check of the table and of each table
    # it holds; a warning fails none
    breaker_checks = {
        e.check_name for e in result.get_asset_check_evaluations() if not e.passed
    } - {planted["target_check"]}
    table = planted["target_check"].split("__")[0]
    blocking = evaluation.metadata["severity"].value == "error"
    if blocking:
        assert f"{table}__contract_in_force" in breaker_checks
        assert all(name.endswith("__contract_in_force") for name in breaker_checks)
    else:
        assert breaker_checks == set()
    expected = planted["expected_unexpected_count"]
    if expected is not None:
        assert evaluation.metadata["unexpected_count"].value == expected
    samples = evaluation.metadata.get("failing_samples")
    if kind in ("duplicate_key", "out_of_range", "bad_enum"):
        assert samples is not None and samples.value, "failing values are shown to the owner"
    if kind == "bad_pattern":  # email is PII: the owner sees that values failed, never which
        assert samples is not None and set(samples.value) == {PII_MASK}
    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    target_asset = ("bronze", planted["target_check"].split("__")[0])
    assert target_asset not in materialized
    independent = {("bronze", "raw_customer_events")} - {target_asset}
    assert independent <= materialized, "tables that do not depend on the breach still publish"
