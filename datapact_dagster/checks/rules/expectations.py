"""GX expectation pieces shared by several kinds (a metric rule reuses its column rule's)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from datapact_dagster.checks.rules.kind import Expectation, SuiteContext
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.checks.sql_text import BATCH, batch_query, quote_identifier, sql_literal
from datapact_dagster.contract.model import Operator

UNEXPECTED_ROWS = "unexpected_rows_expectation"
UNIQUE = "expect_column_values_to_be_unique"
OBSERVED_ALIAS = "observed"
_SQL_OPERATORS = {
    "mustBe": "=",
    "mustNotBe": "<>",
    "mustBeGreaterThan": ">",
    "mustBeGreaterOrEqualTo": ">=",
    "mustBeLessThan": "<",
    "mustBeLessOrEqualTo": "<=",
}


def unexpected_rows(sql: str) -> Expectation:
    """GX's UnexpectedRowsExpectation for `sql`, written against BATCH."""
    return UNEXPECTED_ROWS, {"unexpected_rows_query": batch_query(sql)}


def not_null(spec: CheckSpec, _: SuiteContext | None = None) -> Expectation:
    return "expect_column_values_to_not_be_null", {"column": spec.column}


def unique(spec: CheckSpec, _: SuiteContext | None = None) -> Expectation:
    return UNIQUE, {"column": spec.column}


def compound_unique(spec: CheckSpec, _: SuiteContext | None = None) -> Expectation:
    return "expect_compound_columns_to_be_unique", {"column_list": list(spec.columns)}


def in_set(spec: CheckSpec, _: SuiteContext | None = None) -> Expectation:
    return "expect_column_values_to_be_in_set", {
        "column": spec.column,
        "value_set": list(spec.params["value_set"]),
    }


def regex(
    spec: CheckSpec, context: SuiteContext, pattern: str, mostly: float | None = None
) -> Expectation:
    assert spec.column is not None
    if context.dialect.native_regex:
        kwargs: dict[str, Any] = {"column": spec.column, "regex": pattern}
        if mostly is not None:
            kwargs["mostly"] = mostly
        return "expect_column_values_to_match_regex", kwargs
    # GX has no regex expectation on this warehouse: the warehouse's own regex search, which has
    # the semantics of GX's match_regex, so a rule judges the same on every warehouse.
    assert context.dialect.regex_match is not None
    column = quote_identifier(spec.column)
    matches = context.dialect.regex_match(column, sql_literal(pattern))
    return unexpected_rows(
        f"SELECT {column} FROM {BATCH} WHERE {column} IS NOT NULL AND NOT {matches}"
    )


def percent_mostly(spec: CheckSpec) -> float | None:
    """`mostly` for a percent rule whose operator caps the share of bad rows, else None."""
    op = spec.operator
    if spec.unit != "percent" or op is None:
        return None
    if op.name in ("mustBeLessThan", "mustBeLessOrEqualTo") or (
        op.name == "mustBe" and op.value == 0
    ):
        return round(min(1.0, max(0.0, 1 - float(op.value) / 100)), 6)
    return None


def with_mostly(spec: CheckSpec, expectation: Expectation) -> Expectation:
    """`expectation` tolerating the share of bad rows a percent rule allows."""
    expectation_type, kwargs = expectation
    mostly = percent_mostly(spec)
    if mostly is not None and expectation_type != UNEXPECTED_ROWS:
        kwargs = {**kwargs, "mostly": mostly}
    return expectation_type, kwargs


def row_count_bounds(op: Operator) -> dict[str, Any]:
    """expect_table_row_count_to_be_between kwargs approximating `op` (DataPact decides)."""
    v = op.value
    match op.name:
        case "mustBe":
            return {"min_value": _whole(v, math.ceil), "max_value": _whole(v, math.floor)}
        case "mustBeGreaterThan":
            return {"min_value": _whole(v, math.floor), "strict_min": True}
        case "mustBeGreaterOrEqualTo":
            return {"min_value": _whole(v, math.ceil)}
        case "mustBeLessThan":
            return {"max_value": _whole(v, math.ceil), "strict_max": True}
        case "mustBeLessOrEqualTo":
            return {"max_value": _whole(v, math.floor)}
        case "mustBeBetween":
            return {"min_value": _whole(v[0], math.ceil), "max_value": _whole(v[1], math.floor)}
    return {}  # mustNotBe / mustNotBeBetween: not a range; the operator alone decides


def _whole(value: Any, rounding: Callable[[float], int]) -> int:
    return int(value) if float(value).is_integer() else rounding(float(value))


def operator_condition(expression: str, op: Operator) -> str:
    """A SQL condition that is true exactly when `op` holds for `expression`."""
    if op.name == "mustBeBetween":
        low, high = op.value
        return f"{expression} BETWEEN {sql_literal(low)} AND {sql_literal(high)}"
    if op.name == "mustNotBeBetween":
        low, high = op.value
        return f"{expression} NOT BETWEEN {sql_literal(low)} AND {sql_literal(high)}"
    return f"{expression} {_SQL_OPERATORS[op.name]} {sql_literal(op.value)}"
