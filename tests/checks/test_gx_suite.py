"""Suite building: pure data, no GX import."""

from __future__ import annotations

import json
from functools import cache

import pytest

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.gx_suite import (
    UNEXPECTED_ROWS,
    build_suite,
    row_count_bounds,
    unique_columns,
)
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.checks.sql_text import batch_query, query_for_relation
from datapact_dagster.contract.model import Operator
from datapact_dagster.plan.loading import require_contracts
from tests.checks.shop_data import PROJECT, PUBLISHED


@cache
def specs() -> list[CheckSpec]:
    contract_set = require_contracts(PROJECT)
    found = contract_set.find_table("shop_orders")
    assert found is not None
    return compile_table_checks(*found)


def by_key(dialect: str) -> dict[str, dict]:
    suite = build_suite("shop_orders", specs(), dialect, PUBLISHED)
    return {
        e["meta"]["datapact_key"].removeprefix("shop_orders__"): e for e in suite["expectations"]
    }


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_export_is_deterministic(dialect: str) -> None:
    first = json.dumps(
        build_suite("shop_orders", specs(), dialect, PUBLISHED), sort_keys=True, indent=2
    )
    second = json.dumps(
        build_suite("shop_orders", list(specs()), dialect, dict(PUBLISHED)),
        sort_keys=True,
        indent=2,
    )
    assert first == second
    assert '"id"' not in first


def test_suite_shape_and_meta() -> None:
    suite = build_suite("shop_orders", specs(), "duckdb", PUBLISHED)
    assert suite["name"] == "datapact.shop_orders"
    keys = [e["meta"]["datapact_key"] for e in suite["expectations"]]
    assert keys == [s.key for s in specs() if s.kind.value not in ("schema", "freshness")]
    meta = suite["expectations"][0]["meta"]
    assert meta == {
        "datapact_key": "shop_orders__order_id__not_null",
        "severity": "error",
        "contract_id": "test.shop_orders",
        "contract_version": "1.2.0",
    }


def test_rule_kinds_map_to_expectations() -> None:
    e = by_key("postgresql")
    expected = {
        "order_id__not_null": "expect_column_values_to_not_be_null",
        "order_id__unique": "expect_column_values_to_be_unique",
        "table__primary_key": "expect_compound_columns_to_be_unique",
        "amount__between": "expect_column_values_to_be_between",
        "email__pattern": "expect_column_values_to_match_regex",
        "email__length": "expect_column_value_lengths_to_be_between",
        "status__in_set": "expect_column_values_to_be_in_set",
        "country__null_values": "expect_column_values_to_not_be_null",
        "note__missing_values": "expect_column_values_to_not_be_in_set",
        "channel__invalid_values": "expect_column_values_to_be_in_set",
        "code__invalid_values": "expect_column_values_to_match_regex",
        "event_id__duplicate_values": "expect_column_values_to_be_unique",
        "table__row_count": "expect_table_row_count_to_be_between",
        "table__paid_orders_have_amount": UNEXPECTED_ROWS,
        "amount__amount_max": "expect_column_max_to_be_between",
        "customer_id__references_shop_customers": UNEXPECTED_ROWS,
    }
    assert {k: e[k]["type"] for k in expected} == expected
    assert e["order_date__between"]["kwargs"] == {
        "column": "order_date",
        "min_value": "2020-01-01",
        "strict_min": False,
    }
    assert e["country__null_values"]["kwargs"] == {"column": "country", "mostly": 0.9}
    assert e["table__primary_key"]["kwargs"] == {"column_list": ["order_id", "line_no"]}
    assert e["amount__amount_max"]["kwargs"] == {
        "column": "amount",
        "min_value": 0,
        "max_value": 100,
    }


def test_duckdb_regex_runs_as_unexpected_rows() -> None:
    e = by_key("duckdb")["code__invalid_values"]
    assert e["type"] == UNEXPECTED_ROWS
    query = e["kwargs"]["unexpected_rows_query"]
    assert "regexp_matches(\"code\", '^[A-Z]{{2}}[0-9]$')" in query
    assert query_for_relation(query, "s.t").startswith('SELECT "code" FROM s.t WHERE')


def test_relationship_joins_the_published_parent() -> None:
    query = by_key("duckdb")["customer_id__references_shop_customers"]["kwargs"][
        "unexpected_rows_query"
    ]
    assert "FROM dp_checks_test.customers AS parent" in query
    assert "{batch}" in query
    with pytest.raises(KeyError, match="shop_customers"):
        build_suite("shop_orders", specs(), "duckdb", {})


def test_sql_rule_returns_a_row_only_when_the_comparison_fails() -> None:
    query = by_key("postgresql")["table__paid_orders_have_amount"]["kwargs"][
        "unexpected_rows_query"
    ]
    assert query == (
        "SELECT observed FROM (SELECT (SELECT COUNT(*) FROM {batch} WHERE status = 'paid'"
        " AND amount = 0) AS observed) AS datapact_sql_rule"
        " WHERE observed IS NULL OR NOT (observed = 0)"
    )


def test_row_count_bounds_follow_the_operator() -> None:
    assert row_count_bounds(Operator(name="mustBeGreaterThan", value=0)) == {
        "min_value": 0,
        "strict_min": True,
    }
    assert row_count_bounds(Operator(name="mustBeBetween", value=[1, 10])) == {
        "min_value": 1,
        "max_value": 10,
    }
    assert row_count_bounds(Operator(name="mustNotBe", value=3)) == {}


def test_batch_query_escapes_braces_and_bind_colons() -> None:
    escaped = batch_query("SELECT a FROM datapact_batch_relation WHERE b ~ 'x{2}' AND c = ':v'")
    assert escaped == r"SELECT a FROM {batch} WHERE b ~ 'x{{2}}' AND c = '\:v'"
    assert query_for_relation(escaped, "s.t") == r"SELECT a FROM s.t WHERE b ~ 'x{2}' AND c = '\:v'"


def test_the_keys_a_suite_counts_are_its_whole_relation_single_column_unique_checks() -> None:
    def expectation(kind: str, **kwargs: object) -> dict[str, object]:
        return {"type": kind, "kwargs": kwargs, "meta": {}}

    suite = {
        "expectations": [
            expectation("expect_column_values_to_not_be_null", column="a"),
            expectation("expect_column_values_to_be_unique", column="b"),
            expectation(
                "expect_column_values_to_be_unique", column="c", row_condition='col("d")>1'
            ),
            expectation("expect_compound_columns_to_be_unique", column_list=["e", "f"]),
            expectation("expect_column_values_to_be_unique", column="b"),
            expectation("expect_column_values_to_be_unique"),  # a custom rule's, refused by GX
            expectation("expect_column_values_to_be_unique", column=["g"]),
        ]
    }
    assert unique_columns(suite) == ("b",)
