"""Kinds a table declares by its keys: a composite primary key, and relationships."""

from __future__ import annotations

from datapact_dagster.checks.rules import expectations as gx
from datapact_dagster.checks.rules.kind import (
    Draft,
    Expectation,
    RuleKind,
    RuleSource,
    Source,
    SuiteContext,
)
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.checks.sql_text import BATCH, quote_identifier
from datapact_dagster.contract.odcs_quality import Level


def _compound_unique(source: RuleSource) -> list[Draft]:
    t = source.table
    pk = t.primary_key
    if len(pk) <= 1:
        return []
    return [
        Draft(
            "primary_key",
            f"({', '.join(pk)}) identifies each row of {t.name}",
            t.doc_path,
            columns=pk,
        )
    ]


def _relationships(source: RuleSource) -> list[Draft]:
    return [
        Draft(
            f"references_{rel.to_table}",
            f"every {', '.join(rel.from_columns)} exists in "
            f"{rel.to_table}.{', '.join(rel.to_columns)}",
            rel.doc_path,
            column=rel.from_columns[0] if len(rel.from_columns) == 1 else None,
            columns=rel.from_columns,
            params={"to_table": rel.to_table, "to_columns": list(rel.to_columns)},
        )
        for rel in source.table.relationships
    ]


def _relationship_expectation(spec: CheckSpec, context: SuiteContext) -> Expectation:
    to_table = spec.params["to_table"]
    if to_table not in context.published:
        raise KeyError(f"{spec.key}: no published relation known for table {to_table!r}")
    parent = context.published[to_table]
    child_columns = [quote_identifier(c) for c in spec.columns]
    parent_columns = [quote_identifier(c) for c in spec.params["to_columns"]]
    selected = ", ".join(f"child.{c}" for c in child_columns)
    present = " AND ".join(f"child.{c} IS NOT NULL" for c in child_columns)
    matches = " AND ".join(
        f"parent.{p} = child.{c}" for c, p in zip(child_columns, parent_columns, strict=True)
    )
    # the child derived table selects only the key columns: with `SELECT *` the embedded
    # warehouse carries every column through the anti-join (3x slower, 1 GiB more at 10M rows)
    narrow = ", ".join(child_columns)
    return gx.unexpected_rows(
        f"SELECT {selected} FROM (SELECT {narrow} FROM {BATCH}) AS child WHERE {present}"
        f" AND NOT EXISTS"
        f" (SELECT 1 FROM {parent} AS parent WHERE {matches})"
    )


COMPOUND_UNIQUE = RuleKind(
    kind=CheckKind.compound_unique,
    odcs_source="schema[].properties[]: primaryKey: true on two or more columns "
    "(ordered by primaryKeyPosition)",
    levels=frozenset({Level.table}),
    source=Source.keys,
    compile=_compound_unique,
    expectation=gx.compound_unique,
    failing_rows="rows with a duplicate {t}",
)
RELATIONSHIP = RuleKind(
    kind=CheckKind.relationship,
    odcs_source="schema[].relationships[] (from/to) or schema[].properties[].relationships[] (to)",
    levels=frozenset({Level.table, Level.column}),
    source=Source.keys,
    compile=_relationships,
    expectation=_relationship_expectation,
    failing_rows="{t} values missing in {parent}",
    other_relations=lambda spec, published: [
        published.get(spec.params["to_table"], spec.params["to_table"])
    ],
)
KINDS = (COMPOUND_UNIQUE, RELATIONSHIP)
