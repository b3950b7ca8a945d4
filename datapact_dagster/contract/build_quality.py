"""ODCS `quality` lists -> QualityRule models, with DataPact's rules on each entry."""

from __future__ import annotations

import re
from typing import Any

from datapact_dagster.contract.build_custom import comparable, custom_rule_ok
from datapact_dagster.contract.findings import DocPath, FindingCollector, format_doc_path
from datapact_dagster.contract.model import OPERATOR_NAMES, Operator, QualityRule
from datapact_dagster.contract.odcs_quality import (
    CUSTOM,
    LIBRARY,
    METRIC_LIST,
    SQL,
    V3_0_LIBRARY_RULES,
    V3_0_ZERO_BY_DEFAULT,
    Level,
    metrics_at,
)
from datapact_dagster.contract.sql_rules import PLACEHOLDER, check_rule_sql

SEVERITIES = ("error", "warning", "info")
UNITS = ("rows", "percent")
SQL_PLACEHOLDERS = {"object", "property"}
BETWEEN_OPERATORS = ("mustBeBetween", "mustNotBeBetween")


def read_quality(
    items: list[dict[str, Any]],
    path: DocPath,
    column: str | None,
    column_names: set[str],
    out: FindingCollector,
) -> list[QualityRule]:
    """The valid rules of one `quality` list (table level when `column` is None)."""
    rules = []
    for index, item in enumerate(items or []):
        rule = _read_rule(item, (*path, index), column, column_names, out)
        if rule is not None:
            rules.append(rule)
    return rules


def _read_rule(
    item: dict[str, Any],
    path: DocPath,
    column: str | None,
    column_names: set[str],
    out: FindingCollector,
) -> QualityRule | None:
    kind = item.get("type", LIBRARY)
    if kind == LIBRARY and "metric" not in item and item.get("rule") in V3_0_LIBRARY_RULES:
        item = v3_0_library_rule(item)
    ok = True
    severity = item.get("severity", "error")
    if severity not in SEVERITIES:
        out.add(
            (*path, "severity"),
            f"severity {severity!r} is not known",
            f"use one of: {', '.join(SEVERITIES)}",
            code="severity",
        )
        ok = False
    operators = [name for name in OPERATOR_NAMES if name in item]
    operator = Operator(name=operators[0], value=item[operators[0]]) if operators else None
    unit = item.get("unit", "rows")
    if unit not in UNITS:
        out.add(
            (*path, "unit"),
            f"unit {unit!r} is not supported",
            "use 'rows' (a count) or 'percent' (share of all rows)",
            code="unit",
        )
        ok = False
    if kind == "text":
        out.add(
            (*path, "type"),
            "a 'text' rule cannot be executed, so it cannot be checked",
            "express it as a 'library' metric, a 'sql' query or a 'custom' "
            "great-expectations rule, or move the text into the description",
            code="unsupported-rule",
        )
        return None
    metric = item.get("metric")
    if kind == LIBRARY:
        if metric is None and isinstance(item.get("rule"), str):
            out.add(
                (*path, "rule"),
                f"library rule {item['rule']!r} is not one DataPact runs",
                f"use one of the ODCS v3.0 rules {', '.join(V3_0_LIBRARY_RULES)}, or a 'sql' "
                "or 'custom' great-expectations rule",
                code="unsupported-rule",
            )
            return None
        if metric is None:
            out.add(
                path,
                "this library rule has no 'metric' (the deprecated 'rule' key is not supported)",
                f"use 'metric:' with one of {METRIC_LIST}",
                code="unsupported-rule",
            )
            return None
        ok &= _library_rule_ok(item, path, metric, column, column_names, out)
    elif kind == SQL:
        ok &= _sql_rule_ok(item, path, column, out)
    elif kind == CUSTOM:
        ok &= custom_rule_ok(item, path, column_names, out)
    if operator is not None and operator.name in BETWEEN_OPERATORS:
        ok &= _bounds_ordered(operator, path, out)
    if kind in (LIBRARY, SQL) and operator is None:
        out.add(
            path,
            "the rule has no comparison operator",
            "add one of mustBe, mustBeLessThan, mustBeBetween, …",
            code="no-operator",
        )
        ok = False
    if not ok:
        return None
    implementation = item.get("implementation")
    return QualityRule(
        name=item.get("name"),
        description=item.get("description"),
        type=kind,
        metric=metric,
        arguments=item.get("arguments") or {},
        unit=unit,
        operator=operator,
        query=item.get("query"),
        engine=item.get("engine"),
        implementation=implementation if isinstance(implementation, dict) else None,
        severity=severity,
        column=column,
        doc_path=format_doc_path(path),
    )


def v3_0_library_rule(item: dict[str, Any]) -> dict[str, Any]:
    """An ODCS v3.0 library rule (`rule: nullCheck`, `validValues: [...]` beside it) written as
    the v3.1 metric it is; a "none allowed" rule without an operator means `mustBe: 0`."""
    rule = item["rule"]
    translated = {k: v for k, v in item.items() if k not in ("rule", "validValues")}
    translated["metric"] = V3_0_LIBRARY_RULES[rule]
    if "validValues" in item:
        translated["arguments"] = {
            **(item.get("arguments") or {}),
            "validValues": item["validValues"],
        }
    if rule in V3_0_ZERO_BY_DEFAULT and not any(name in item for name in OPERATOR_NAMES):
        translated["mustBe"] = 0
    return translated


def _library_rule_ok(
    item: dict[str, Any],
    path: DocPath,
    metric: str,
    column: str | None,
    column_names: set[str],
    out: FindingCollector,
) -> bool:
    level = Level.table if column is None else Level.column
    if metric not in metrics_at(level):
        target = "the column's" if column is None else "the table's"
        out.add(
            (*path, "metric"),
            f"metric '{metric}' does not apply at {level} level",
            f"move the rule to {target} 'quality' list",
            code="metric-level",
        )
        return False
    args = item.get("arguments") or {}
    if metric == "invalidValues" and not (
        isinstance(args.get("validValues"), list) or isinstance(args.get("pattern"), str)
    ):
        out.add(
            (*path, "arguments"),
            "invalidValues needs the values that are valid",
            "add 'arguments: {validValues: [...]}' or 'arguments: {pattern: ...}'",
            code="invalid-values-args",
        )
        return False
    if isinstance(args.get("pattern"), str):
        try:
            re.compile(args["pattern"])
        except re.error as exc:
            out.add(
                (*path, "arguments", "pattern"),
                f"the pattern does not compile: {exc}",
                "write a valid regular expression",
                code="pattern",
            )
            return False
    if metric == "duplicateValues" and column is None:
        props = args.get("properties")
        if not isinstance(props, list) or not props:
            out.add(
                (*path, "arguments"),
                "a table-level duplicateValues rule needs the columns that form the key",
                "add 'arguments: {properties: [col_a, col_b]}'",
                code="duplicate-args",
            )
            return False
        missing = [p for p in props if p not in column_names]
        if missing:
            out.add(
                (*path, "arguments", "properties"),
                f"unknown column(s) {', '.join(map(str, missing))}",
                f"use columns of this table: {', '.join(sorted(column_names))}",
                code="unknown-column",
            )
            return False
    if (
        metric == "missingValues"
        and "missingValues" in args
        and not isinstance(args["missingValues"], list)
    ):
        out.add(
            (*path, "arguments", "missingValues"),
            "missingValues must be a list",
            "write e.g. missingValues: ['', 'N/A']",
            code="missing-args",
        )
        return False
    if metric == "rowCount" and item.get("unit") == "percent":
        out.add(
            (*path, "unit"),
            "rowCount is a number of rows, not a percentage",
            "remove 'unit' or set it to 'rows'",
            code="unit",
        )
        return False
    return True


def _sql_rule_ok(
    item: dict[str, Any], path: DocPath, column: str | None, out: FindingCollector
) -> bool:
    query = str(item.get("query", ""))
    names = set(PLACEHOLDER.findall(query))
    unknown = names - SQL_PLACEHOLDERS
    if unknown:
        out.add(
            (*path, "query"),
            f"unknown placeholder(s) {', '.join(sorted(unknown))}",
            "use {object} for the table and {property} for the column",
            code="placeholder",
        )
        return False
    if "property" in names and column is None:
        out.add(
            (*path, "query"),
            "{property} is used in a table-level rule",
            "move the rule under a property, or name the column in the query",
            code="placeholder",
        )
        return False
    problems, _reads = check_rule_sql(query)
    for problem in problems:
        out.add((*path, "query"), problem.message, problem.fix, code=problem.code)
    return not problems


def _bounds_ordered(operator: Operator, path: DocPath, out: FindingCollector) -> bool:
    bounds = operator.value
    if not isinstance(bounds, list) or len(bounds) != 2 or not comparable(*bounds):
        return True
    low, high = bounds
    if low <= high:
        return True
    out.add(
        (*path, operator.name),
        f"{operator.name} [{low}, {high}] has its lower bound above its upper bound, so "
        + ("every value would fail" if operator.name == "mustBeBetween" else "it checks nothing"),
        f"write the bounds in order: [{high}, {low}]",
        code="bounds",
    )
    return False
