"""The catalog's view of each contract, table and column (`views.py`), built once from the
contracts, the dependency graph and the latest verdicts; and the pages' file names and anchors."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.model import Column, Contract, Table
from datapact_dagster.plan.graph import DependencyGraph

from .verdicts import LatestVerdicts
from .views import ColumnView, ConsumerView, ContractView, RelationshipView, RuleView, TableView


def page_name(contract_id: str) -> str:
    """The contract page's file name: safe on any file system and in any URL."""
    return "contract-" + re.sub(r"[^A-Za-z0-9._-]+", "_", contract_id) + ".html"


def table_anchor(table: Table) -> str:
    return "table-" + _slug(table.physical_name)


def column_anchor(table: Table, column: str) -> str:
    return f"col-{_slug(table.physical_name)}-{_slug(column)}"


def table_href(graph: DependencyGraph, physical_name: str) -> str | None:
    """The link to a contract table's section; None for a source (a landing file)."""
    if physical_name not in graph.tables:
        return None
    contract, table = graph.table(physical_name)
    return f"{page_name(contract.id)}#{table_anchor(table)}"


def column_href(graph: DependencyGraph, physical_name: str, column: str) -> str | None:
    if physical_name not in graph.tables:
        return None
    contract, table = graph.table(physical_name)
    return f"{page_name(contract.id)}#{column_anchor(table, column)}"


def contract_views(graph: DependencyGraph, verdicts: LatestVerdicts) -> tuple[ContractView, ...]:
    contracts = sorted(graph.contracts.contracts, key=lambda c: (_layer_rank(c), c.id))
    root = graph.contracts.root
    return tuple(
        ContractView(
            id=contract.id,
            name=contract.name,
            version=contract.version,
            status=contract.status,
            api_version=contract.api_version,
            domain=contract.domain,
            description=contract.description,
            team=contract.team,
            owners=contract.owners,
            support=contract.support,
            schedule=contract.schedule,
            check_schedule=contract.check_schedule,
            source=_relative(contract, root),
            content_hash=contract.content_hash,
            page=page_name(contract.id),
            tables=tuple(_table_view(graph, contract, t, verdicts) for t in contract.tables),
        )
        for contract in contracts
    )


def _table_view(
    graph: DependencyGraph, contract: Contract, table: Table, verdicts: LatestVerdicts
) -> TableView:
    specs = compile_table_checks(contract, table)
    lineage = graph.lineage[table.physical_name]
    return TableView(
        contract_id=contract.id,
        name=table.name,
        physical_name=table.physical_name,
        layer=table.layer.value,
        anchor=table_anchor(table),
        href=f"{page_name(contract.id)}#{table_anchor(table)}",
        description=table.description,
        tags=table.tags,
        columns=tuple(_column_view(graph, table, c, specs, verdicts) for c in table.columns),
        table_rules=tuple(_rule(s, verdicts) for s in specs if s.column is None),
        relationships=tuple(_relationships(graph, table)),
        freshness=_freshness(table),
        consumers=tuple(
            ConsumerView(u.consumer.team, u.consumer.contact, u.consumer.use_case, u.columns)
            for u in graph.consumers_of(table.physical_name)
            if u.whole_table or u.columns
        ),
        reads=lineage.reads,
        read_by=graph.downstream.get(table.physical_name, ()),
        references=lineage.references,
        row_dependencies=tuple(str(ref) for ref in lineage.rows),
        upstream_all=tuple(graph.upstream_closure(table.physical_name)),
        downstream_all=tuple(graph.downstream_closure(table.physical_name)),
    )


def _column_view(
    graph: DependencyGraph,
    table: Table,
    column: Column,
    specs: list[CheckSpec],
    verdicts: LatestVerdicts,
) -> ColumnView:
    lineage = graph.lineage[table.physical_name]
    return ColumnView(
        name=column.name,
        anchor=column_anchor(table, column.name),
        logical_type=column.logical_type,
        physical_type=column.physical_type,
        required=column.required,
        unique=column.unique,
        primary_key=column.primary_key,
        foreign_key=_foreign_keys(graph, table, column.name),
        pii=column.pii,
        classification=column.classification,
        description=column.description,
        tags=column.tags,
        enum_values=tuple(str(v) for v in column.enum_values),
        constraints=_constraints(column),
        rules=tuple(_rule(s, verdicts) for s in specs if s.column == column.name),
        computed_from=tuple(str(ref) for ref in lineage.columns.get(column.name, ())),
        untraced=lineage.untraced.get(column.name),
    )


def _foreign_keys(graph: DependencyGraph, table: Table, column: str) -> tuple[str, ...]:
    return tuple(
        f"{_physical(graph, rel.to_table)}.{to_column}"
        for rel in table.relationships
        for from_column, to_column in zip(rel.from_columns, rel.to_columns, strict=False)
        if from_column == column
    )


def _rule(spec: CheckSpec, verdicts: LatestVerdicts) -> RuleView:
    return RuleView(
        key=spec.key,
        kind=spec.kind.value,
        severity=spec.severity,
        description=spec.description,
        verdict=verdicts.of(spec.key),
    )


def _relationships(graph: DependencyGraph, table: Table) -> list[RelationshipView]:
    views = []
    for rel in table.relationships:
        target = graph.contracts.find_table(rel.to_table)
        physical = target[1].physical_name if target else rel.to_table
        views.append(
            RelationshipView(
                from_columns=rel.from_columns,
                to_table=physical,
                to_href=table_href(graph, physical),
                to_columns=rel.to_columns,
                cardinality=cardinality(
                    table, rel.from_columns, target[1] if target else None, rel.to_columns
                ),
            )
        )
    return views


def cardinality(
    table: Table, from_columns: tuple[str, ...], target: Table | None, to_columns: tuple[str, ...]
) -> str:
    """many-to-one when the target columns are its key (or unique), one-to-one when the source
    columns are a key too; unknown otherwise."""
    if target is None or not _is_key(target, to_columns):
        return "unknown"
    return "one-to-one" if _is_key(table, from_columns) else "many-to-one"


def _is_key(table: Table, columns: tuple[str, ...]) -> bool:
    if table.primary_key and set(table.primary_key) == set(columns):
        return True
    if len(columns) == 1:
        column = table.column(columns[0])
        return column is not None and column.unique
    return False


def _freshness(table: Table) -> str | None:
    if table.freshness is None:
        return None
    text = f"{table.freshness.column} at most {age_text(table.freshness.max_age)} old"
    return f"{text}: {table.freshness.description}" if table.freshness.description else text


def age_text(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "0 seconds"


def _constraints(column: Column) -> tuple[str, ...]:
    options = column.options
    found: list[tuple[str, Any]] = [
        (">=", options.minimum),
        ("<=", options.maximum),
        (">", options.exclusive_minimum),
        ("<", options.exclusive_maximum),
        ("pattern", options.pattern),
        ("min length", options.min_length),
        ("max length", options.max_length),
    ]
    return tuple(f"{word} {value}" for word, value in found if value is not None)


def _physical(graph: DependencyGraph, table_name: str) -> str:
    found = graph.contracts.find_table(table_name)
    return found[1].physical_name if found else table_name


def _relative(contract: Contract, root: Any) -> str:
    try:
        return str(contract.source_path.relative_to(root))
    except ValueError:
        return contract.source_path.name


def _layer_rank(contract: Contract) -> int:
    return min(
        (["bronze", "silver", "gold"].index(t.layer.value) for t in contract.tables), default=0
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text)
