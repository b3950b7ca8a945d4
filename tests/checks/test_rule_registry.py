"""The registry of check kinds: complete at import, and every kind compiles and builds."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from datapact_dagster.checks import describe
from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.gx_suite import build_suite
from datapact_dagster.checks.rules import (
    HISTORY_KINDS,
    NATIVE_KINDS,
    REGISTRY,
    Engine,
    RegistryError,
    RuleKind,
    kind_of_quality_rule,
    required_columns,
    verify_registry,
)
from datapact_dagster.checks.rules.kind import SuiteContext
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.checks.suite_dialect import suite_dialect
from datapact_dagster.contract.model import (
    AnomalyMonitor,
    Column,
    Contract,
    Freshness,
    Layer,
    Operator,
    QualityRule,
    Relationship,
    Table,
    ValueOptions,
)
from datapact_dagster.contract.odcs_quality import LIBRARY_METRICS, Level

AT_MOST_ONE = {"operator": Operator(name="mustBeLessOrEqualTo", value=1)}


def _rule(doc_path: str, **fields: object) -> QualityRule:
    return QualityRule(doc_path=doc_path, **fields)  # type: ignore[arg-type]


def sample_table() -> Table:
    """One table declaring every kind of check DataPact has."""
    path = "schema[0].properties"
    columns = (
        Column(
            name="order_id",
            logical_type="integer",
            required=True,
            primary_key=True,
            primary_key_position=1,
            options=ValueOptions(minimum=1, exclusive_maximum=10**9),
            doc_path=f"{path}[0]",
        ),
        Column(
            name="line_no",
            logical_type="integer",
            primary_key=True,
            primary_key_position=2,
            unique=True,
            doc_path=f"{path}[1]",
        ),
        Column(
            name="code",
            logical_type="string",
            options=ValueOptions(pattern="^[A-Z]+$", min_length=2, max_length=8),
            enum_values=("AB", "CD"),
            quality=(
                _rule(
                    f"{path}[2].quality[0]",
                    type="library",
                    metric="nullValues",
                    column="code",
                    **AT_MOST_ONE,
                ),
                _rule(
                    f"{path}[2].quality[1]",
                    type="library",
                    metric="missingValues",
                    arguments={"missingValues": ["", None]},
                    unit="percent",
                    column="code",
                    **AT_MOST_ONE,
                ),
                _rule(
                    f"{path}[2].quality[2]",
                    type="library",
                    metric="invalidValues",
                    arguments={"pattern": "^[A-Z]"},
                    column="code",
                    **AT_MOST_ONE,
                ),
                _rule(
                    f"{path}[2].quality[3]",
                    type="sql",
                    query="SELECT COUNT(*) FROM {object} WHERE {property} = 'X'",
                    column="code",
                    **AT_MOST_ONE,
                ),
            ),
            doc_path=f"{path}[2]",
        ),
        Column(name="placed_at", logical_type="timestamp", doc_path=f"{path}[3]"),
    )
    quality = (
        _rule("schema[0].quality[0]", type="library", metric="rowCount", **AT_MOST_ONE),
        _rule(
            "schema[0].quality[1]",
            type="library",
            metric="duplicateValues",
            arguments={"properties": ["code", "placed_at"]},
            **AT_MOST_ONE,
        ),
        _rule(
            "schema[0].quality[2]",
            type="custom",
            engine="great-expectations",
            implementation={
                "type": "expect_column_pair_values_a_to_be_greater_than_b",
                "kwargs": {"column_A": "order_id", "column_B": "line_no"},
            },
        ),
    )
    return Table(
        name="order_lines",
        layer=Layer.silver,
        physical_name="silver.order_lines",
        columns=columns,
        quality=quality,
        relationships=(
            Relationship(
                from_columns=("order_id",),
                to_table="orders",
                to_columns=("order_id",),
                doc_path="schema[0].relationships[0]",
            ),
        ),
        freshness=Freshness(
            column="placed_at", max_age=timedelta(hours=6), doc_path="slaProperties[0]"
        ),
        monitors=(
            AnomalyMonitor(metric="row_count", doc_path="schema[0].customProperties[0].value"),
            AnomalyMonitor(
                metric="null_rate",
                column="code",
                doc_path=f"{path}[2].customProperties[0].value",
            ),
            AnomalyMonitor(metric="freshness_lag", doc_path="schema[0].customProperties[1].value"),
        ),
        sql_path=Path("sql/silver/order_lines.sql"),
        doc_path="schema[0]",
    )


def sample_specs() -> list[CheckSpec]:
    table = sample_table()
    contract = Contract(
        id="urn:test:order-lines",
        version="1.0.0",
        status="active",
        api_version="v3.1.0",
        owners=("owner@example.com",),
        tables=(table,),
        source_path=Path("contracts/order_lines.yaml"),
        content_hash="0" * 64,
    )
    return compile_table_checks(contract, table)


def test_every_check_kind_has_a_complete_entry() -> None:
    assert list(REGISTRY) == list(CheckKind)
    verify_registry(REGISTRY)
    assert {CheckKind.schema, CheckKind.freshness} == NATIVE_KINDS


def test_a_kind_without_an_entry_fails_verification() -> None:
    incomplete = {k: r for k, r in REGISTRY.items() if k is not CheckKind.length}

    with pytest.raises(RegistryError, match="length: no registry entry"):
        verify_registry(incomplete)


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        (CheckKind.unique, {"expectation": None}, "GX kind without an expectation builder"),
        (
            CheckKind.schema,
            {"expectation": REGISTRY[CheckKind.unique].expectation},
            "native kind with an expectation builder",
        ),
        (CheckKind.between, {"kind": CheckKind.length}, "declares kind length"),
        (CheckKind.in_set, {"odcs_source": ""}, "no odcs_source"),
        (CheckKind.in_set, {"levels": frozenset()}, "no level"),
        (CheckKind.pattern, {"failing_rows": "{t} not {shape}"}, "unknown field"),
        (CheckKind.null_values, {"levels": frozenset(Level)}, "levels differ"),
        (CheckKind.row_count, {"odcs_metric": "nullValues"}, "same ODCS rule"),
        (CheckKind.custom, {"odcs_type": "text"}, "not executable"),
        (CheckKind.freshness, {"engine": Engine.gx}, "GX kind without an expectation builder"),
    ],
)
def test_a_missing_or_wrong_piece_fails_verification(
    kind: CheckKind, change: dict[str, object], message: str
) -> None:
    broken: dict[CheckKind, RuleKind] = dict(REGISTRY)
    broken[kind] = dataclasses.replace(REGISTRY[kind], **change)  # type: ignore[arg-type]

    with pytest.raises(RegistryError, match=message):
        verify_registry(broken)


def test_every_odcs_library_metric_has_its_kind() -> None:
    for metric, levels in LIBRARY_METRICS.items():
        rule = _rule("quality[0]", type="library", metric=metric, **AT_MOST_ONE)
        kind = kind_of_quality_rule(rule)
        assert kind.odcs_metric == metric
        assert kind.levels == levels


def test_every_kind_compiles_and_builds_its_expectation() -> None:
    specs = sample_specs()

    assert {s.kind for s in specs} == set(CheckKind)
    for dialect in ("duckdb", "postgresql"):
        context = SuiteContext(suite_dialect(dialect), {"orders": "silver.orders"})
        for spec in specs:
            rule = REGISTRY[spec.kind]
            if rule.engine is not Engine.gx:
                assert rule.expectation is None
                continue
            assert rule.expectation is not None
            expectation_type, kwargs = rule.expectation(spec, context)
            assert expectation_type.startswith(("expect_", "unexpected_rows"))
            assert kwargs
        suite = build_suite("order_lines", specs, dialect, {"orders": "silver.orders"})
        gx_specs = [s for s in specs if s.kind not in NATIVE_KINDS | HISTORY_KINDS]
        assert len(suite["expectations"]) == len(gx_specs)


def test_every_kind_describes_its_threshold_and_failing_rows() -> None:
    for spec in sample_specs():
        rule = REGISTRY[spec.kind]
        assert describe.threshold(spec) == rule.threshold(spec)
        if rule.failing_rows is not None:
            assert describe.rows_summary(spec, 3, 100).startswith("3 ")


def test_sample_names_the_columns_each_kind_reads() -> None:
    by_kind = {s.kind: s for s in sample_specs()}

    assert required_columns(by_kind[CheckKind.sql]) == ["code"]
    assert required_columns(by_kind[CheckKind.custom]) == ["order_id", "line_no"]
    assert required_columns(by_kind[CheckKind.duplicate_values]) == ["code", "placed_at"]
    assert required_columns(by_kind[CheckKind.schema]) == []


def test_the_suite_dialect_is_the_one_warehouse_switch() -> None:
    duckdb, postgres = suite_dialect("duckdb"), suite_dialect("postgresql")

    assert (duckdb.native_regex, duckdb.sqlglot_dialect) == (False, "duckdb")
    assert (postgres.native_regex, postgres.sqlglot_dialect) == (True, "postgres")
