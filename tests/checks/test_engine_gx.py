"""The check step end to end (schema, GX, freshness) on DuckDB and PostgreSQL.

GX is imported once for this module; each (warehouse, relation) is checked once and cached.
"""

from __future__ import annotations

import json
from functools import cache

import pytest
import sqlalchemy as sa

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.engine import run_table_checks
from datapact_dagster.checks.gx_run import run_suite
from datapact_dagster.checks.gx_suite import build_suite
from datapact_dagster.checks.result import PII_MASK, CheckResult
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import ContractSet, Table
from datapact_dagster.plan.loading import require_contracts
from tests.checks.conftest import ENGINES, Warehouses
from tests.checks.shop_data import (
    BAD,
    BAD_COUNTS,
    DRIFT,
    GOOD,
    NOW,
    PII_EMAIL,
    PROJECT,
    PUBLISHED,
)


@cache
def shop() -> tuple[ContractSet, Table, list[CheckSpec]]:
    contract_set = require_contracts(PROJECT)
    found = contract_set.find_table("shop_orders")
    assert found is not None
    return contract_set, found[1], compile_table_checks(*found)


_results: dict[tuple[str, str], dict[str, CheckResult]] = {}


@pytest.fixture
def check(warehouses: Warehouses):  # type: ignore[no-untyped-def]
    """check(engine_name, relation) -> {key suffix: CheckResult}, computed once per pair."""

    def run(engine_name: str, relation: str) -> dict[str, CheckResult]:
        if (engine_name, relation) not in _results:
            contract_set, table, specs = shop()
            contract = contract_set.find_table("shop_orders")[0]  # type: ignore[index]
            results = run_table_checks(
                contract_set,
                contract,
                table,
                specs,
                relation,
                warehouses[engine_name],
                published=PUBLISHED,
                now=NOW,
            )
            assert [r.key for r in results] == [s.key for s in specs]
            _results[engine_name, relation] = {
                r.key.removeprefix("shop_orders__"): r for r in results
            }
        return _results[engine_name, relation]

    return run


@pytest.mark.parametrize("engine_name", ENGINES)
def test_good_table_passes_every_rule(check, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    results = check(engine_name, GOOD)
    failing = {k: (r.verdict, r.summary) for k, r in results.items() if r.verdict != "pass"}
    assert failing == {}
    assert len(results) == 21


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize(("rule", "count"), sorted(BAD_COUNTS.items()))
def test_bad_table_fails_with_exact_count(check, engine_name: str, rule: str, count: int) -> None:  # type: ignore[no-untyped-def]
    result = check(engine_name, BAD)[rule]
    assert result.verdict == "fail", result.summary
    assert result.unexpected_count == count
    assert result.element_count == 20
    assert result.samples, "failing rows come with samples"


@pytest.mark.parametrize("engine_name", ENGINES)
def test_good_table_counts_are_zero_or_within_threshold(check, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    results = check(engine_name, GOOD)
    for rule in BAD_COUNTS:
        expected = 1 if rule == "country__null_values" else 0
        assert results[rule].unexpected_count == expected, rule
    assert results["country__null_values"].observed == pytest.approx(100 / 15)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_operator_rules_judge_the_observed_value(check, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    bad, good = check(engine_name, BAD), check(engine_name, GOOD)
    assert bad["country__null_values"].observed == pytest.approx(15.0)
    assert bad["country__null_values"].threshold == "<= 10%"
    assert bad["table__row_count"].verdict == "fail"
    assert bad["table__row_count"].observed == 20
    assert bad["table__row_count"].summary == "row count 20, expected <= 19"
    assert good["table__row_count"].observed == 15
    assert bad["table__paid_orders_have_amount"].verdict == "fail"
    assert bad["table__paid_orders_have_amount"].observed == 1
    assert good["table__paid_orders_have_amount"].verdict == "pass"
    assert bad["amount__amount_max"].verdict == "fail"
    assert bad["amount__amount_max"].observed == pytest.approx(101.0)
    assert bad["updated_at__freshness"].verdict == "fail"
    assert bad["updated_at__freshness"].observed["age_seconds"] == 32 * 86400
    assert good["updated_at__freshness"].observed["age_seconds"] == 12 * 3600


@pytest.mark.parametrize("engine_name", ENGINES)
def test_summaries_read_well(check, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    bad, good = check(engine_name, BAD), check(engine_name, GOOD)
    assert bad["order_id__unique"].summary == "4 rows with a duplicate order_id, 20% of 20 rows"
    assert good["order_id__not_null"].summary == "all 15 rows have order_id"
    assert bad["customer_id__references_shop_customers"].samples == ("C999",)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_pii_never_reaches_a_result(check, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    results = check(engine_name, BAD)
    assert PII_MASK in results["email__pattern"].samples
    assert all(s == PII_MASK for s in results["email__length"].samples)
    for result in results.values():
        dumped = json.dumps(result.to_dict(), default=str).lower()
        assert PII_EMAIL.lower() not in dumped, result.key
        assert "leaked.person" not in dumped


@pytest.mark.parametrize("engine_name", ENGINES)
def test_schema_drift_fails_only_the_schema_check(check, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    results = check(engine_name, DRIFT)
    schema = results["table__schema"]
    assert schema.verdict == "fail"
    assert schema.observed["missing"] == ["email", "amount"]
    assert set(schema.observed["type_mismatches"]) == {"line_no"}
    assert schema.summary.endswith("warning: undeclared column(s) e_mail, extra_col")
    skipped = {k for k, r in results.items() if r.verdict == "skipped"}
    assert skipped == {
        "email__pattern",
        "email__length",
        "amount__between",
        "amount__amount_max",
        "table__paid_orders_have_amount",
    }
    assert results["amount__between"].error == (
        "not evaluated: column 'amount' is missing (see shop_orders__table__schema)"
    )
    others = {
        k: r.summary
        for k, r in results.items()
        if k not in skipped and k != "table__schema" and r.verdict != "pass"
    }
    assert others == {}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_gx_failure_becomes_an_error_result(warehouses: Warehouses, engine_name: str) -> None:
    _, table, specs = shop()
    by_kind = {s.kind: s for s in specs}
    broken = [
        by_kind[CheckKind.not_null].__class__(
            **{
                **by_kind[CheckKind.not_null].__dict__,
                "key": "shop_orders__ghost__not_null",
                "column": "ghost",
            }
        ),
        by_kind[CheckKind.row_count],
    ]
    results = run_suite(
        broken, GOOD, warehouses[engine_name], published=PUBLISHED, pii_columns=table.pii_columns
    )
    assert results[0].verdict == "error"
    assert "ghost" in (results[0].error or "")
    assert results[1].verdict == "pass"
    missing = run_suite(
        broken,
        "dp_checks_test.no_such_table",
        warehouses[engine_name],
        published=PUBLISHED,
        pii_columns=(),
    )
    assert {r.verdict for r in missing} == {"error"}


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_suite_loads_in_plain_gx(dialect: str) -> None:
    import great_expectations as gx

    _, _, specs = shop()
    suite_dict = build_suite("shop_orders", specs, dialect, PUBLISHED)
    suite = gx.ExpectationSuite(**json.loads(json.dumps(suite_dict)))
    assert [e.expectation_type for e in suite.expectations] == [
        e["type"] for e in suite_dict["expectations"]
    ]
    assert [e.meta["datapact_key"] for e in suite.expectations] == [
        s.key for s in specs if s.kind not in (CheckKind.schema, CheckKind.freshness)
    ]


def test_duckdb_engine_is_shared_with_gx(warehouses: Warehouses) -> None:
    from datapact_dagster.checks.gx_context import table_batch

    engine = warehouses["duckdb"]
    batch = table_batch(engine, GOOD)
    assert batch.data.execution_engine.engine is engine
    with engine.connect() as c:  # the caller's engine still works after GX used it
        assert c.execute(sa.text(f"SELECT COUNT(*) FROM {GOOD}")).scalar_one() == 15


@pytest.mark.parametrize("engine_name", ENGINES)
def test_gx_prints_nothing_while_checking(
    warehouses: Warehouses, engine_name: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # GX prints "unexpected_rows_query should contain the {batch} parameter" for every query
    # it does not see {batch} in; each DataPact query names its batch that way
    contract_set, table, specs = shop()
    contract = contract_set.find_table("shop_orders")[0]  # type: ignore[index]
    for relation in (GOOD, BAD):
        run_table_checks(
            contract_set,
            contract,
            table,
            specs,
            relation,
            warehouses[engine_name],
            published=PUBLISHED,
            now=NOW,
        )
    out, _ = capfd.readouterr()
    assert "{batch}" not in out
    assert out == ""


def test_over_small_tables_the_suites_parts_run_beside_each_other_with_gx_results(
    warehouses: Warehouses, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from datapact_dagster.warehouse.dialects import duckdb as duckdb_dialect

    engine = warehouses["duckdb"]
    contract_set, table, all_specs = shop()
    contract = contract_set.find_table("shop_orders")[0]  # type: ignore[index]
    # a rule's own SQL may read any table: such a suite is not known to read small tables only
    specs = [s for s in all_specs if s.kind not in (CheckKind.sql, CheckKind.custom)]
    relationship_threads: list[str] = []

    def seen(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if "NOT EXISTS" in statement:
            relationship_threads.append(threading.current_thread().name)

    def results() -> list[CheckResult]:
        relationship_threads.clear()
        return run_table_checks(
            contract_set, contract, table, specs, BAD, engine, published=PUBLISHED, now=NOW
        )

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        beside = results()
        assert relationship_threads and threading.current_thread().name not in relationship_threads
        monkeypatch.setattr(duckdb_dialect, "SMALL_READS_CONNECTIONS", 1)
        in_turn = results()
        assert relationship_threads == [threading.current_thread().name]
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert beside == in_turn
    assert any(r.spec.kind is CheckKind.relationship and not r.passed for r in beside)
