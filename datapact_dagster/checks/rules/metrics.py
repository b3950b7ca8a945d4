"""Kinds compiled from ODCS library metrics (`quality: [{metric: ...}]`), one per metric."""

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
    slug,
)
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.checks.sql_text import BATCH, quote_identifier, sql_list
from datapact_dagster.contract.model import QualityRule
from datapact_dagster.contract.odcs_quality import LIBRARY, LIBRARY_METRICS

DEFAULT_MISSING_VALUES: tuple[Any, ...] = ("",)


def _metric_draft(
    source: RuleSource, noun: str, params: dict[str, Any], columns: tuple[str, ...] = ()
) -> list[Draft]:
    """The draft of library rule `source.rule`, measuring `noun` (e.g. 'null values')."""
    r = source.rule
    assert r is not None and r.operator is not None
    what = r.column or source.table.name
    measure = "share of" if r.unit == "percent" else "number of"
    unit = "%" if r.unit == "percent" else ""
    description = r.description or f"{measure} {noun} in {what} is {r.operator.describe()}{unit}"
    return [
        Draft(
            r.name or slug(r.metric or ""),
            description,
            r.doc_path,
            column=r.column,
            columns=columns,
            severity=r.severity,
            operator=r.operator,
            unit=r.unit,
            params=params,
        )
    ]


def _rule(source: RuleSource) -> QualityRule:
    assert source.rule is not None
    return source.rule


def _missing_values(source: RuleSource) -> list[Draft]:
    listed = _rule(source).arguments.get("missingValues", DEFAULT_MISSING_VALUES)
    return _metric_draft(source, "missing values", {"missing_values": list(listed)})


def _missing_values_expectation(spec: CheckSpec, _: SuiteContext) -> Expectation:
    listed = list(spec.params.get("missing_values", ()))
    values = [v for v in listed if v is not None]
    if len(values) == len(listed):
        return gx.with_mostly(
            spec,
            (
                "expect_column_values_to_not_be_in_set",
                {"column": spec.column, "value_set": values},
            ),
        )
    # null listed as a missing value: GX's set expectations skip nulls, so count them in SQL
    assert spec.column is not None
    column = quote_identifier(spec.column)
    condition = f"{column} IS NULL"
    if values:
        condition += f" OR {column} IN ({sql_list(values)})"
    return gx.unexpected_rows(f"SELECT {column} FROM {BATCH} WHERE {condition}")


def _invalid_values(source: RuleSource) -> list[Draft]:
    arguments = _rule(source).arguments
    if "validValues" in arguments:
        params = {"value_set": list(arguments["validValues"])}
    else:
        params = {"regex": arguments["pattern"]}
    return _metric_draft(source, "invalid values", params)


def _invalid_values_expectation(spec: CheckSpec, context: SuiteContext) -> Expectation:
    if "value_set" in spec.params:
        return gx.with_mostly(spec, gx.in_set(spec))
    return gx.regex(spec, context, spec.params["regex"], gx.percent_mostly(spec))


def _duplicate_values(source: RuleSource) -> list[Draft]:
    r = _rule(source)
    columns = tuple(r.arguments["properties"]) if r.column is None else ()
    return _metric_draft(source, "duplicate values", {}, columns)


def _duplicate_values_expectation(spec: CheckSpec, _: SuiteContext) -> Expectation:
    if spec.column is not None:
        return gx.with_mostly(spec, gx.unique(spec))
    return gx.with_mostly(spec, gx.compound_unique(spec))


def _row_count_expectation(spec: CheckSpec, _: SuiteContext) -> Expectation:
    assert spec.operator is not None
    return "expect_table_row_count_to_be_between", gx.row_count_bounds(spec.operator)


def _metric_kind(metric: str, **pieces: Any) -> RuleKind:
    return RuleKind(
        odcs_source=f"quality[] with type: library, metric: {metric} "
        "(on the table or a property, where the metric applies)",
        levels=LIBRARY_METRICS[metric],
        source=Source.quality,
        odcs_type=LIBRARY,
        odcs_metric=metric,
        **pieces,
    )


NULL_VALUES = _metric_kind(
    "nullValues",
    kind=CheckKind.null_values,
    compile=lambda source: _metric_draft(source, "null values", {}),
    expectation=lambda spec, _: gx.with_mostly(spec, gx.not_null(spec)),
    failing_rows="null {t} values",
)
MISSING_VALUES = _metric_kind(
    "missingValues",
    kind=CheckKind.missing_values,
    compile=_missing_values,
    expectation=_missing_values_expectation,
    failing_rows="missing {t} values",
)
INVALID_VALUES = _metric_kind(
    "invalidValues",
    kind=CheckKind.invalid_values,
    compile=_invalid_values,
    expectation=_invalid_values_expectation,
    failing_rows="invalid {t} values",
)
DUPLICATE_VALUES = _metric_kind(
    "duplicateValues",
    kind=CheckKind.duplicate_values,
    compile=_duplicate_values,
    expectation=_duplicate_values_expectation,
    failing_rows="rows with a duplicate {t}",
)
ROW_COUNT = _metric_kind(
    "rowCount",
    kind=CheckKind.row_count,
    compile=lambda source: _metric_draft(source, "rows", {}),
    expectation=_row_count_expectation,
    threshold=lambda spec: spec.operator.describe() if spec.operator is not None else "0 rows",
)
KINDS = (NULL_VALUES, MISSING_VALUES, INVALID_VALUES, DUPLICATE_VALUES, ROW_COUNT)
