"""Kinds whose test the contract writes itself: a `type: sql` query, a `type: custom` GX rule."""

from __future__ import annotations

from sqlglot import exp

from datapact_dagster.checks.rules import expectations as gx
from datapact_dagster.checks.rules.kind import (
    Draft,
    Expectation,
    RuleKind,
    RuleSource,
    Source,
    SuiteContext,
    anything,
    operator_or,
    spec_columns,
)
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.checks.sql_text import BATCH, quote_identifier
from datapact_dagster.contract.odcs_quality import CUSTOM, GX_ENGINE, SQL, Level
from datapact_dagster.warehouse.sql_parse import (
    SOURCE_DIALECT,
    SqlParseError,
    parse_select,
    transpile,
)

BOTH_LEVELS = frozenset({Level.table, Level.column})
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_OBJECT = "datapact_rule_object"


def _sql(source: RuleSource) -> list[Draft]:
    r = source.rule
    assert r is not None and r.operator is not None
    return [
        Draft(
            r.name or f"sql_{source.compiled}",
            r.description or f"query result is {r.operator.describe()}",
            r.doc_path,
            column=r.column,
            severity=r.severity,
            operator=r.operator,
            unit=r.unit,
            params={"query": r.query},
        )
    ]


def _sql_expectation(spec: CheckSpec, context: SuiteContext) -> Expectation:
    assert spec.operator is not None
    query = str(spec.params["query"]).strip().rstrip(";").replace("{object}", BATCH)
    if spec.column is not None:
        query = query.replace("{property}", quote_identifier(spec.column))
    if context.dialect.sqlglot_dialect != SOURCE_DIALECT:
        query = transpile(query, context.dialect.sqlglot_dialect)
    observed = gx.OBSERVED_ALIAS
    return gx.unexpected_rows(
        f"SELECT {observed} FROM (SELECT ({query}) AS {observed}) AS datapact_sql_rule"
        f" WHERE {observed} IS NULL OR NOT ({gx.operator_condition(observed, spec.operator)})"
    )


def sql_rule_columns(query: str) -> list[str]:
    """Columns a sql rule reads from its `{object}`, when it reads no other table."""
    try:
        tree = parse_select(query.replace("{object}", _OBJECT).replace("{property}", "x"))
    except SqlParseError:
        return []
    tables = {t.name for t in tree.find_all(exp.Table)}
    if tables != {_OBJECT}:
        return []
    return [c.name for c in tree.find_all(exp.Column) if c.name and c.name != "x"]


def _custom(source: RuleSource) -> list[Draft]:
    r = source.rule
    assert r is not None
    impl = r.implementation or {}
    kwargs = dict(impl.get("kwargs") or {})
    return [
        Draft(
            r.name or str(impl.get("type", "custom")).removeprefix("expect_"),
            r.description or f"{impl.get('type')} holds",
            r.doc_path,
            column=r.column or kwargs.get("column"),
            severity=r.severity,
            params={"expectation_type": impl.get("type"), "kwargs": kwargs},
        )
    ]


def _custom_columns(spec: CheckSpec) -> list[str]:
    kwargs = spec.params.get("kwargs") or {}
    names = [kwargs[k] for k in _COLUMN_KWARGS if isinstance(kwargs.get(k), str)]
    return spec_columns(spec) + names + list(kwargs.get("column_list") or ())


SQL_RULE = RuleKind(
    kind=CheckKind.sql,
    odcs_source="quality[] with type: sql and a query returning one number "
    "({object} is the table, {property} the column)",
    levels=BOTH_LEVELS,
    source=Source.quality,
    compile=_sql,
    expectation=_sql_expectation,
    threshold=lambda spec: spec.operator.describe() if spec.operator is not None else "0 rows",
    required_columns=lambda spec: (
        spec_columns(spec) + sql_rule_columns(str(spec.params.get("query", "")))
    ),
    other_relations=anything,
    odcs_type=SQL,
)
CUSTOM_RULE = RuleKind(
    kind=CheckKind.custom,
    odcs_source=f"quality[] with type: custom, engine: {GX_ENGINE}, "
    "implementation: {type: expect_..., kwargs: {...}}",
    levels=BOTH_LEVELS,
    source=Source.quality,
    compile=_custom,
    expectation=lambda spec, _: (
        str(spec.params["expectation_type"]),
        dict(spec.params.get("kwargs") or {}),
    ),
    threshold=operator_or(lambda spec: None),
    required_columns=_custom_columns,
    other_relations=anything,
    odcs_type=CUSTOM,
)
KINDS = (SQL_RULE, CUSTOM_RULE)
