"""Kinds a column declares by its properties: required, unique, logicalTypeOptions, enum."""

from __future__ import annotations

from typing import Any

from datapact_dagster.checks.rules import expectations as gx
from datapact_dagster.checks.rules.kind import (
    Draft,
    Expectation,
    RuleKind,
    RuleSource,
    Source,
    SuiteContext,
    operator_or,
)
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import Column
from datapact_dagster.contract.odcs_quality import Level

COLUMN = frozenset({Level.column})


def _column(source: RuleSource) -> Column:
    assert source.column is not None
    return source.column


def _not_null(source: RuleSource) -> list[Draft]:
    c = _column(source)
    if not (c.required or c.primary_key):
        return []
    return [Draft("not_null", f"{c.name} is never null", c.doc_path, column=c.name)]


def _unique(source: RuleSource) -> list[Draft]:
    c = _column(source)
    if not (c.unique or source.table.primary_key == (c.name,)):
        return []
    return [Draft("unique", f"{c.name} values are unique", c.doc_path, column=c.name)]


def _between(source: RuleSource) -> list[Draft]:
    c = _column(source)
    o = c.options
    low = o.minimum if o.minimum is not None else o.exclusive_minimum
    high = o.maximum if o.maximum is not None else o.exclusive_maximum
    if low is None and high is None:
        return []
    bounds = []
    if low is not None:
        bounds.append(f"{'>' if o.minimum is None else '>='} {low}")
    if high is not None:
        bounds.append(f"{'<' if o.maximum is None else '<='} {high}")
    params = {
        "min_value": low,
        "max_value": high,
        "strict_min": o.minimum is None and low is not None,
        "strict_max": o.maximum is None and high is not None,
    }
    description = f"{c.name} is {' and '.join(bounds)}"
    doc_path = f"{c.doc_path}.logicalTypeOptions"
    return [Draft("between", description, doc_path, column=c.name, params=params)]


def _between_expectation(spec: CheckSpec, _: SuiteContext) -> Expectation:
    p = spec.params
    kwargs: dict[str, Any] = {"column": spec.column}
    if p.get("min_value") is not None:
        kwargs["min_value"] = p["min_value"]
        kwargs["strict_min"] = bool(p.get("strict_min"))
    if p.get("max_value") is not None:
        kwargs["max_value"] = p["max_value"]
        kwargs["strict_max"] = bool(p.get("strict_max"))
    return "expect_column_values_to_be_between", kwargs


def _between_threshold(spec: CheckSpec) -> str:
    p = spec.params
    bounds = []
    if p.get("min_value") is not None:
        bounds.append(f"{'>' if p.get('strict_min') else '>='} {p['min_value']}")
    if p.get("max_value") is not None:
        bounds.append(f"{'<' if p.get('strict_max') else '<='} {p['max_value']}")
    return " and ".join(bounds)


def _pattern(source: RuleSource) -> list[Draft]:
    c = _column(source)
    if c.options.pattern is None:
        return []
    return [
        Draft(
            "pattern",
            f"{c.name} matches {c.options.pattern}",
            f"{c.doc_path}.logicalTypeOptions.pattern",
            column=c.name,
            params={"regex": c.options.pattern},
        )
    ]


def _length(source: RuleSource) -> list[Draft]:
    c = _column(source)
    o = c.options
    if o.min_length is None and o.max_length is None:
        return []
    return [
        Draft(
            "length",
            f"{c.name} is {o.min_length or 0} to {o.max_length or 'any'} characters long",
            f"{c.doc_path}.logicalTypeOptions",
            column=c.name,
            params={"min_value": o.min_length, "max_value": o.max_length},
        )
    ]


def _length_expectation(spec: CheckSpec, _: SuiteContext) -> Expectation:
    kwargs: dict[str, Any] = {"column": spec.column}
    for bound in ("min_value", "max_value"):
        if spec.params.get(bound) is not None:
            kwargs[bound] = spec.params[bound]
    return "expect_column_value_lengths_to_be_between", kwargs


def _in_set(source: RuleSource) -> list[Draft]:
    c = _column(source)
    if not c.enum_values:
        return []
    return [
        Draft(
            "in_set",
            f"{c.name} is one of {', '.join(map(str, c.enum_values))}",
            f"{c.doc_path}.enum",
            column=c.name,
            params={"value_set": list(c.enum_values)},
        )
    ]


NOT_NULL = RuleKind(
    kind=CheckKind.not_null,
    odcs_source="schema[].properties[]: required: true or primaryKey: true",
    levels=COLUMN,
    source=Source.column,
    compile=_not_null,
    expectation=gx.not_null,
    failing_rows="rows have no {t}",
)
UNIQUE = RuleKind(
    kind=CheckKind.unique,
    odcs_source="schema[].properties[]: unique: true, or the table's only primaryKey column",
    levels=COLUMN,
    source=Source.column,
    compile=_unique,
    expectation=gx.unique,
    failing_rows="rows with a duplicate {t}",
)
BETWEEN = RuleKind(
    kind=CheckKind.between,
    odcs_source="schema[].properties[].logicalTypeOptions: minimum, maximum, "
    "exclusiveMinimum, exclusiveMaximum",
    levels=COLUMN,
    source=Source.column,
    compile=_between,
    expectation=_between_expectation,
    threshold=operator_or(_between_threshold),
    failing_rows="{t} values outside {th}",
)
PATTERN = RuleKind(
    kind=CheckKind.pattern,
    odcs_source="schema[].properties[].logicalTypeOptions.pattern",
    levels=COLUMN,
    source=Source.column,
    compile=_pattern,
    expectation=lambda spec, context: gx.regex(spec, context, spec.params["regex"]),
    threshold=operator_or(lambda spec: f"matches {spec.params['regex']}"),
    failing_rows="{t} values not matching {regex}",
)
LENGTH = RuleKind(
    kind=CheckKind.length,
    odcs_source="schema[].properties[].logicalTypeOptions: minLength, maxLength",
    levels=COLUMN,
    source=Source.column,
    compile=_length,
    expectation=_length_expectation,
    threshold=operator_or(
        lambda spec: (
            f"{spec.params.get('min_value') or 0} to "
            f"{spec.params.get('max_value') or 'any'} characters"
        )
    ),
    failing_rows="{t} values not {th} long",
)
IN_SET = RuleKind(
    kind=CheckKind.in_set,
    odcs_source="schema[].properties[].enum",
    levels=COLUMN,
    source=Source.column,
    compile=_in_set,
    expectation=gx.in_set,
    threshold=operator_or(lambda spec: "one of " + ", ".join(map(str, spec.params["value_set"]))),
    failing_rows="{t} values outside the allowed set",
)
KINDS = (NOT_NULL, UNIQUE, BETWEEN, PATTERN, LENGTH, IN_SET)
