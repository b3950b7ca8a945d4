"""The PII inventory: every PII column, its classification, where its values flow, and which
consumers read it (directly, or through a column computed from it)."""

from __future__ import annotations

from dataclasses import dataclass

from datapact_dagster.contract.model import LAYER_ORDER, Contract, Table
from datapact_dagster.plan.graph import ColumnRef, DependencyGraph
from datapact_dagster.plan.impact import ConsumerHit, impact_of

from .model import column_href, table_href


@dataclass(frozen=True)
class PiiReader:
    team: str
    contact: str | None
    use_case: str | None
    table: str
    table_href: str | None
    columns: tuple[str, ...]
    """The consumer's columns of `table` that carry or derive from the PII column."""
    whole_table: bool
    direct: bool
    """It reads the PII column's own table (else a table downstream of it)."""


@dataclass(frozen=True)
class PiiColumn:
    contract_id: str
    table: str
    column: str
    href: str | None
    classification: str | None
    tags: tuple[str, ...]
    description: str | None
    flows_into: tuple[tuple[str, str | None], ...]
    """Downstream columns computed from its value, with their links."""
    readers: tuple[PiiReader, ...]


def pii_inventory(graph: DependencyGraph) -> tuple[PiiColumn, ...]:
    found = []
    for name, (contract, table) in sorted(graph.tables.items(), key=_by_layer):
        for column in table.columns:
            if not column.pii:
                continue
            impact = impact_of(graph, name, column.name)
            carries = {ColumnRef(name, column.name)} | {
                hit.ref for hit in impact.downstream_columns if hit.how != "rows"
            }
            found.append(
                PiiColumn(
                    contract_id=contract.id,
                    table=name,
                    column=column.name,
                    href=column_href(graph, name, column.name),
                    classification=column.classification,
                    tags=column.tags,
                    description=column.description,
                    flows_into=tuple(
                        (str(hit.ref), column_href(graph, hit.ref.table, hit.ref.column))
                        for hit in impact.downstream_columns
                        if hit.how == "value"
                    ),
                    readers=_readers(graph, name, impact.consumers, carries),
                )
            )
    return tuple(found)


def _readers(
    graph: DependencyGraph, table: str, hits: tuple[ConsumerHit, ...], carries: set[ColumnRef]
) -> tuple[PiiReader, ...]:
    """Consumers that read a column carrying the value (a column whose rows merely depend on it,
    such as a count grouped by it, does not carry it)."""
    readers = []
    for hit in hits:
        columns = tuple(c for c in hit.columns if ColumnRef(hit.table, c) in carries)
        if columns:
            readers.append(
                PiiReader(
                    team=hit.team,
                    contact=hit.contact,
                    use_case=hit.use_case,
                    table=hit.table,
                    table_href=table_href(graph, hit.table),
                    columns=columns,
                    whole_table=hit.whole_table,
                    direct=hit.table == table,
                )
            )
    return tuple(readers)


def _by_layer(item: tuple[str, tuple[Contract, Table]]) -> tuple[int, str]:
    return LAYER_ORDER[item[1][1].layer], item[0]
