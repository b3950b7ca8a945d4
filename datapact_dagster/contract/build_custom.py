"""DataPact's rules on a `type: custom` Great Expectations rule, which is passed through to GX.

A pass-through is only as safe as what it lets through: every column it names must exist (a
check on a missing column is skipped, and a skipped blocking rule would publish bad data), its
bounds must be ordered, and it may neither carry its own SQL nor set what DataPact sets itself.
"""

from __future__ import annotations

import re
from typing import Any

from datapact_dagster.contract.findings import DocPath, FindingCollector
from datapact_dagster.contract.gx_catalog import known_expectation_types
from datapact_dagster.contract.odcs_quality import GX_ENGINE
from datapact_dagster.contract.sql_rules import check_rule_sql

COLUMN_KWARGS = ("column", "column_A", "column_B")
"""Keyword arguments GX documents as one column name."""
COLUMN_LIST_KWARGS = ("column_list", "column_set")
"""Keyword arguments GX documents as a list of column names."""
RUNNER_KWARGS = frozenset(
    {"meta", "notes", "description", "result_format", "catch_exceptions", "id", "windows"}
)
"""What DataPact sets on each expectation itself (result format, name, description)."""
OTHER_SOURCE_TYPES = frozenset({"expect_query_results_to_match_comparison"})
"""Expectations that query another data source, which DataPact does not configure."""
_ROW_CONDITION_COLUMN = re.compile(r"""col\(\s*["']([^"']*)["']\s*\)""")


def custom_rule_ok(
    item: dict[str, Any], path: DocPath, column_names: set[str], out: FindingCollector
) -> bool:
    """Whether a custom rule can run as written; every reason it cannot is reported."""
    if item.get("engine") != GX_ENGINE:
        out.add(
            (*path, "engine"),
            f"custom engine {item.get('engine')!r} cannot run here",
            f"use engine: {GX_ENGINE}, or rewrite the rule as a library or sql rule",
            code="unsupported-rule",
        )
        return False
    impl = item.get("implementation")
    ipath = (*path, "implementation")
    if not isinstance(impl, dict) or not isinstance(impl.get("type"), str):
        out.add(
            ipath,
            "a great-expectations implementation must be a mapping with 'type' and 'kwargs'",
            "write implementation: {type: expect_..., kwargs: {...}}",
            code="custom-impl",
        )
        return False
    known = known_expectation_types()
    if known and impl["type"] not in known:
        out.add(
            (*ipath, "type"),
            f"{impl['type']!r} is not a Great Expectations core expectation",
            "use an expectation type from the GX 1.x gallery, e.g. "
            "expect_column_mean_to_be_between",
            code="custom-impl",
        )
        return False
    if impl["type"] in OTHER_SOURCE_TYPES:
        out.add(
            (*ipath, "type"),
            f"{impl['type']} queries another data source, which a contract cannot configure",
            "write the comparison as a 'type: sql' rule reading contract tables",
            code="custom-impl",
        )
        return False
    extra = sorted(set(impl) - {"type", "kwargs"})
    if extra:
        out.add(
            (*ipath, extra[0]),
            f"unknown implementation key(s) {', '.join(map(repr, extra))}",
            "an implementation has only 'type' and 'kwargs'",
            code="custom-impl",
        )
        return False
    kwargs = impl.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        out.add(
            (*ipath, "kwargs"),
            "kwargs must be a mapping",
            "write kwargs: {column: ..., ...}",
            code="custom-impl",
        )
        return False
    before = len(out.findings)
    _check_kwargs(kwargs, (*ipath, "kwargs"), column_names, out)
    return len(out.findings) == before


def _check_kwargs(
    kwargs: dict[str, Any], kpath: DocPath, column_names: set[str], out: FindingCollector
) -> None:
    for key, value in kwargs.items():
        if key in RUNNER_KWARGS:
            out.add(
                (*kpath, key),
                f"kwargs.{key} is set by DataPact itself",
                "remove it; the rule's 'name' and 'description' say what the rule checks",
                code="custom-impl",
            )
        elif key.endswith("query"):
            _refuse_query(str(value), (*kpath, key), out)
        elif key in COLUMN_KWARGS:
            _check_columns([value], (*kpath, key), column_names, out, single=True)
        elif key in COLUMN_LIST_KWARGS:
            if not isinstance(value, list):
                out.add(
                    (*kpath, key),
                    f"kwargs.{key} must be a list of column names",
                    "write e.g. [order_id, customer_id]",
                    code="custom-impl",
                )
            else:
                _check_columns(value, (*kpath, key), column_names, out, single=False)
        elif key == "row_condition" and isinstance(value, str):
            named = _ROW_CONDITION_COLUMN.findall(value)
            _check_columns(named, (*kpath, key), column_names, out, single=True)
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if comparable(low, high) and low > high:
        out.add(
            (*kpath, "min_value"),
            f"min_value {low!r} is above max_value {high!r}, so every value would fail",
            "swap or correct the bounds",
            code="bounds",
        )


def _refuse_query(query: str, qpath: DocPath, out: FindingCollector) -> None:
    problems, _reads = check_rule_sql(query.replace("{batch}", "{object}"))
    for problem in problems:
        out.add(qpath, problem.message, problem.fix, code=problem.code)
    if not problems:
        out.add(
            qpath,
            f"a custom rule cannot carry its own SQL ({qpath[-1]})",
            "write the query as a 'type: sql' rule, which DataPact checks and runs",
            code="custom-impl",
        )


def _check_columns(
    values: list[Any], kpath: DocPath, column_names: set[str], out: FindingCollector, single: bool
) -> None:
    for index, value in enumerate(values):
        where = kpath if single else (*kpath, index)
        if not isinstance(value, str):
            out.add(
                where,
                f"{value!r} is not a column name",
                "write the column's name as a string",
                code="custom-impl",
            )
        elif value not in column_names:
            out.add(
                where,
                f"unknown column {value!r}: the check would be skipped at run time",
                f"use a column of this table: {', '.join(sorted(column_names))}",
                code="unknown-column",
            )


def comparable(low: Any, high: Any) -> bool:
    """Whether two bounds can be ordered: both numbers, or both strings (ISO dates and times)."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
    return numbers or (isinstance(low, str) and isinstance(high, str))
