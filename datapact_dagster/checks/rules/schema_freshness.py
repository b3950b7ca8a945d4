"""Kinds DataPact evaluates itself (checks/native.py): the table's schema and its freshness SLA."""

from __future__ import annotations

from datetime import timedelta

from datapact_dagster.checks.rules.kind import (
    Draft,
    Engine,
    RuleKind,
    RuleSource,
    Source,
    operator_or,
)
from datapact_dagster.checks.spec import CheckKind
from datapact_dagster.contract.odcs_quality import Level


def _schema(source: RuleSource) -> list[Draft]:
    t = source.table
    return [
        Draft(
            "schema",
            f"{t.physical_name} has the declared columns with compatible types",
            t.doc_path,
            params={
                "columns": {c.name: c.logical_type for c in t.columns},
                "required": [c.name for c in t.columns if c.required],
            },
        )
    ]


def _freshness(source: RuleSource) -> list[Draft]:
    f = source.table.freshness
    if f is None:
        return []
    return [
        Draft(
            "freshness",
            f"the newest {f.column} is at most {_age(f.max_age)} old",
            f.doc_path,
            column=f.column,
            params={"max_age_seconds": int(f.max_age.total_seconds())},
        )
    ]


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


SCHEMA = RuleKind(
    kind=CheckKind.schema,
    odcs_source="schema[]: the table's properties, their logicalType and required",
    levels=frozenset({Level.table}),
    source=Source.table,
    compile=_schema,
    engine=Engine.native,
    threshold=operator_or(lambda spec: None),
)
FRESHNESS = RuleKind(
    kind=CheckKind.freshness,
    odcs_source="slaProperties[] with property latency or freshness, element <table>.<column>",
    levels=frozenset({Level.column}),
    source=Source.sla,
    compile=_freshness,
    engine=Engine.native,
    threshold=operator_or(lambda spec: f"age <= {spec.params['max_age_seconds']} s"),
)
KINDS = (SCHEMA, FRESHNESS)
