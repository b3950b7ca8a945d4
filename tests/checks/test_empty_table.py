"""Every kind of check on a table with no rows gives a clean verdict, on every warehouse."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from datapact_dagster.checks.engine import run_table_checks
from datapact_dagster.checks.result import Verdict
from datapact_dagster.checks.rules import HISTORY_KINDS
from datapact_dagster.checks.spec import CheckKind
from datapact_dagster.contract.model import ContractSet
from tests.checks.conftest import Warehouses
from tests.checks.test_rule_registry import sample_specs, sample_table

SCHEMA = "dp_empty_test"
EMPTY = f"{SCHEMA}.order_lines"
PARENT = f"{SCHEMA}.orders"
NOW = datetime(2024, 6, 2)

# What each kind concludes on zero rows: value rules hold vacuously (0 rows checked); the
# row-count rule judges 0 against its bound (here at most 1); freshness has nothing fresh.
EXPECTED = {
    CheckKind.schema: Verdict.PASS,
    CheckKind.freshness: Verdict.FAIL,
    CheckKind.row_count: Verdict.PASS,
    CheckKind.custom: Verdict.PASS,
    CheckKind.sql: Verdict.PASS,
}


@pytest.fixture(params=["duckdb", "postgresql"])
def empty(request: pytest.FixtureRequest, warehouses: Warehouses) -> sa.Engine:
    engine = warehouses[request.param]
    with engine.begin() as c:
        c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        c.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
        c.exec_driver_sql(
            f"CREATE TABLE {EMPTY} (order_id BIGINT, line_no BIGINT, code VARCHAR,"
            " placed_at TIMESTAMP)"
        )
        c.exec_driver_sql(f"CREATE TABLE {PARENT} (order_id BIGINT)")
    return engine


def test_every_kind_gives_a_clean_verdict_on_zero_rows(empty: sa.Engine) -> None:
    specs = sample_specs()
    contract_set = ContractSet(contracts=(), root=sample_table().sql_path.parent)
    results = run_table_checks(
        contract_set,
        None,  # type: ignore[arg-type]  (the engine reads only the table and its specs)
        sample_table(),
        specs,
        EMPTY,
        empty,
        published={"orders": PARENT},
        now=NOW,
    )

    # anomaly monitors are judged from the run's metrics, not by the engine (tests/monitoring)
    assert {r.spec.kind for r in results} == set(CheckKind) - HISTORY_KINDS
    errors = {r.key: r.error for r in results if r.error is not None}
    assert errors == {}
    verdicts = {r.spec.kind: r.verdict for r in results}
    expected = {kind: EXPECTED.get(kind, Verdict.PASS) for kind in set(CheckKind) - HISTORY_KINDS}
    assert verdicts == expected
    for result in results:
        if result.element_count is not None:
            assert result.element_count == 0, result.key
    freshness = next(r for r in results if r.spec.kind is CheckKind.freshness)
    assert freshness.summary == f"no rows: {EMPTY} is empty"
    row_count = next(r for r in results if r.spec.kind is CheckKind.row_count)
    assert row_count.observed == 0
