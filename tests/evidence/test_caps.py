"""A huge value read from the data stays small in every place a check result is copied to."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from datapact_dagster.checks.caps import (
    MAX_OBSERVED_CHARS,
    MAX_SAMPLES,
    MAX_SUMMARY_CHARS,
    MAX_VALUE_CHARS,
)
from datapact_dagster.checks.engine import run_table_checks
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.spec import CheckKind
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.defs.check_events import to_check_result
from datapact_dagster.evidence import EvidenceStore, render_report
from datapact_dagster.evidence.reports import report_from_store
from datapact_dagster.evidence.schema import evidence_records
from tests.checks.test_rule_registry import sample_specs, sample_table

from .factories import append, check_spec

MEGABYTE = 1_000_000
HUGE = "x" * MEGABYTE  # fails the code column's pattern (^[A-Z]+$), length and enum rules
SMALL = 64_000  # far above any capped copy, far below the uncapped megabyte


def _huge_sample_results(tmp_path: Path) -> list[CheckResult]:
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    with engine.begin() as c:
        c.exec_driver_sql("CREATE SCHEMA silver")
        c.exec_driver_sql(
            "CREATE TABLE silver.order_lines (order_id BIGINT, line_no BIGINT, code VARCHAR,"
            " placed_at TIMESTAMP)"
        )
        c.exec_driver_sql("CREATE TABLE silver.orders (order_id BIGINT)")
        c.execute(
            sa.text("INSERT INTO silver.order_lines VALUES (1, 1, :code, '2024-06-01')"),
            {"code": HUGE},
        )
    results = run_table_checks(
        ContractSet(contracts=(), root=tmp_path),
        None,  # type: ignore[arg-type]
        sample_table(),
        sample_specs(),
        "silver.order_lines",
        engine,
        published={"orders": "silver.orders"},
        now=datetime(2024, 6, 2),
    )
    engine.dispose()
    return results


def test_a_megabyte_sample_is_capped_in_evidence_metadata_and_report(tmp_path: Path) -> None:
    results = _huge_sample_results(tmp_path)
    with_samples = [r for r in results if r.samples and isinstance(r.samples[0], str)]
    assert {r.spec.kind for r in with_samples} >= {CheckKind.pattern, CheckKind.length}
    for result in with_samples:
        [sample] = result.samples
        assert sample.startswith("x" * MAX_VALUE_CHARS)
        assert sample.endswith(f"… ({MEGABYTE - MAX_VALUE_CHARS:,} more characters)")

    store = EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")
    append(store, results, run_id="run-huge")
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(evidence_records)).mappings().all()
    stored = [json.dumps(dict(row), default=str) for row in rows]
    assert stored and all(len(record) < SMALL for record in stored)

    for result in results:
        event = to_check_result(result, dg.AssetKey(list(result.spec.asset_key)))
        dumped = json.dumps({k: str(v.value) for k, v in event.metadata.items()})
        assert len(dumped) + len(event.description or "") < SMALL, result.key

    html = render_report(report_from_store(store), "html")
    assert "x" * MAX_VALUE_CHARS in html
    assert len(html) < 10 * SMALL


def test_summaries_errors_and_observed_values_are_capped() -> None:
    spec = check_spec()
    result = CheckResult(
        spec=spec,
        passed=False,
        summary="s" * 10_000,
        error="e" * 10_000,
        observed={"value": "v" * 10_000, "rows": list(range(10_000))},
        samples=tuple("z" * 1000 for _ in range(100)),
    )
    assert len(result.summary) < MAX_SUMMARY_CHARS + 40
    assert result.summary.endswith("… (9,500 more characters)")
    assert result.error is not None and len(result.error) < MAX_SUMMARY_CHARS + 40
    assert isinstance(result.observed, str)
    assert len(result.observed) < MAX_OBSERVED_CHARS + 40
    assert len(result.samples) == MAX_SAMPLES
    assert all(len(s) < MAX_VALUE_CHARS + 40 for s in result.samples)
    # capping is idempotent: a result rebuilt from a capped one is unchanged
    again = CheckResult(
        spec=spec,
        passed=False,
        summary=result.summary,
        error=result.error,
        observed=result.observed,
        samples=result.samples,
    )
    assert again == result


def test_small_values_are_left_as_they_are() -> None:
    spec = check_spec()
    observed = {"missing": [f"c{i}" for i in range(50)], "columns": {"a": "VARCHAR"}}
    result = CheckResult(spec=spec, passed=True, summary="ok", observed=observed, samples=(1, "a"))
    assert result.observed == observed
    assert result.samples == (1, "a")
    assert result.summary == "ok"
