"""`datapact export gx`: deterministic suites that plain Great Expectations loads."""

from __future__ import annotations

import json
from pathlib import Path

from datapact_dagster.cli import main


def test_export_writes_identical_suites_that_gx_loads(project_root: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["--project", str(project_root), "export", "gx", "--out", str(first)]) == 0
    assert main(["--project", str(project_root), "export", "gx", "--out", str(second)]) == 0
    files = sorted(p.name for p in first.glob("*.json"))
    assert len(files) == 8 and "bronze.raw_orders.json" in files
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes()

    import great_expectations as gx

    suite_dict = json.loads((first / "silver.orders.json").read_text())
    suite = gx.ExpectationSuite(**suite_dict)
    types = {e.expectation_type for e in suite.expectations}
    assert len(suite.expectations) == len(suite_dict["expectations"])
    assert {"expect_column_values_to_be_unique", "unexpected_rows_expectation"} <= types
    keys = {e.meta["datapact_key"] for e in suite.expectations}
    assert "orders__customer_id__references_customers" in keys
