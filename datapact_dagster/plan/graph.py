"""The project's dependency graph, to the column: what each table and column is computed from,
what is computed from it, and which consumers read which columns.

Built from the contracts and the SQL. Contract tables are named by their physical name
(`silver.customers`); a landing file a bronze table loads is a source node (`landing.orders`),
read with the columns the bronze contract declares (the schema check holds the file to them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from datapact_dagster.contract.model import Consumer, Contract, ContractSet, Table
from datapact_dagster.plan.dependencies import upstream_tables
from datapact_dagster.warehouse.lineage import QueryLineage, Schema, trace_query
from datapact_dagster.warehouse.names import LANDING_SCHEMA
from datapact_dagster.warehouse.sql_parse import SqlParseError, table_refs
from datapact_dagster.warehouse.types import sql_type_of


@dataclass(frozen=True, order=True)
class ColumnRef:
    table: str
    """The relation's physical name, e.g. `silver.customers` (or a source, `landing.orders`)."""
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class TableLineage:
    """What one contract table's SQL reads and how each of its columns is computed."""

    table: str
    reads: tuple[str, ...]
    """Relations the SQL reads: contract tables and sources, in order of appearance."""
    references: tuple[str, ...]
    """Tables its relationships point to (their keys are checked, their data is not read)."""
    columns: dict[str, tuple[ColumnRef, ...]]
    """Column -> the upstream columns its value is computed from (traced columns only)."""
    rows: tuple[ColumnRef, ...]
    """Upstream columns that decide which rows exist: join keys, filters, grouping."""
    untraced: dict[str, str]
    """Column -> why its lineage is unknown; such a column depends on every table it reads."""


@dataclass(frozen=True)
class ConsumerUse:
    """A consumer of a contract table, with the columns of that table it declared."""

    contract_id: str
    table: str
    consumer: Consumer
    columns: tuple[str, ...]
    """Declared columns present in this table; empty when the consumer declared none (it reads
    the whole table)."""

    @property
    def whole_table(self) -> bool:
        return not self.consumer.columns


class DependencyGraph:
    def __init__(self, contracts: ContractSet) -> None:
        self.contracts = contracts
        self.tables: dict[str, tuple[Contract, Table]] = {
            t.physical_name: (c, t) for c, t in contracts.tables
        }
        self.lineage: dict[str, TableLineage] = {
            name: _trace_table(contracts, table) for name, (_, table) in self.tables.items()
        }

    def table(self, name: str) -> tuple[Contract, Table]:
        return self.tables[name]

    def resolve(self, name: str) -> str | None:
        """A table's physical name from its physical name, table name or asset path."""
        if name in self.tables:
            return name
        for physical, (_, table) in self.tables.items():
            if name in (table.name, "/".join(table.asset_key)):
                return physical
        return None

    @cached_property
    def downstream(self) -> dict[str, tuple[str, ...]]:
        """Table -> the contract tables whose SQL reads it (direct only)."""
        found: dict[str, list[str]] = {name: [] for name in self.tables}
        for name, traced in self.lineage.items():
            for read in traced.reads:
                found.setdefault(read, []).append(name)
        return {name: tuple(sorted(readers)) for name, readers in found.items()}

    def upstream_closure(self, name: str) -> list[str]:
        return _closure(name, lambda n: self.lineage[n].reads if n in self.lineage else ())

    def downstream_closure(self, name: str) -> list[str]:
        return _closure(name, lambda n: self.downstream.get(n, ()))

    def value_readers(self, ref: ColumnRef) -> list[ColumnRef]:
        """Columns computed directly from `ref`'s value."""
        return [
            ColumnRef(reader, column)
            for reader in self.downstream.get(ref.table, ())
            for column, sources in self.lineage[reader].columns.items()
            if ref in sources
        ]

    def row_readers(self, ref: ColumnRef) -> list[str]:
        """Tables whose set of rows depends directly on `ref` (a join key, filter or group)."""
        return [r for r in self.downstream.get(ref.table, ()) if ref in self.lineage[r].rows]

    def untraced_readers(self, table: str) -> list[ColumnRef]:
        """Columns of direct readers of `table` whose lineage is unknown (table-level fallback)."""
        return [
            ColumnRef(reader, column)
            for reader in self.downstream.get(table, ())
            for column in self.lineage[reader].untraced
        ]

    def asset_column_sources(self, name: str) -> dict[str, list[tuple[tuple[str, str], str]]]:
        """Column -> (upstream asset key, column) pairs, contract tables only: the lineage
        Dagster records on a materialisation."""
        found: dict[str, list[tuple[tuple[str, str], str]]] = {}
        for column, sources in self.lineage[name].columns.items():
            pairs = [
                (self.tables[s.table][1].asset_key, s.column)
                for s in sources
                if s.table in self.tables
            ]
            if pairs:
                found[column] = pairs
        return found

    def consumers_of(self, name: str) -> list[ConsumerUse]:
        contract, table = self.tables[name]
        declared = {c.name for c in table.columns}
        return [
            ConsumerUse(
                contract.id,
                name,
                consumer,
                tuple(c for c in consumer.columns if c in declared),
            )
            for consumer in contract.consumers
        ]


def build_graph(contracts: ContractSet) -> DependencyGraph:
    return DependencyGraph(contracts)


def _trace_table(contracts: ContractSet, table: Table) -> TableLineage:
    sql = table.sql_path.read_text(encoding="utf-8")
    columns = [c.name for c in table.columns]
    try:
        reads = tuple(dict.fromkeys(r.qualified for r in table_refs(sql)))
    except SqlParseError as error:
        reason = f"its SQL does not parse ({error})"
        return TableLineage(table.physical_name, (), (), {}, (), dict.fromkeys(columns, reason))
    reads = tuple(r for r in reads if r != table.physical_name)
    relationship_targets = [
        hit[1].physical_name
        for rel in table.relationships
        if (hit := contracts.find_table(rel.to_table))
    ]
    traced = trace_query(sql, columns, _schema_for(contracts, table, reads))
    return TableLineage(
        table=table.physical_name,
        reads=reads,
        references=tuple(t for t in dict.fromkeys(relationship_targets) if t not in reads),
        columns={c: _refs(sources) for c, sources in traced.columns.items()},
        rows=_refs(traced.rows),
        untraced=_untraced(traced, reads),
    )


def _schema_for(contracts: ContractSet, table: Table, reads: Iterable[str]) -> Schema:
    schema: dict[str, dict[str, dict[str, str]]] = {}
    for upstream in upstream_tables(contracts, table):
        db, _, name = upstream.physical_name.rpartition(".")
        if db:
            schema.setdefault(db, {})[name] = _types(upstream)
    for read in reads:
        db, _, name = read.rpartition(".")
        if db == LANDING_SCHEMA:
            schema.setdefault(db, {})[name] = _types(table)
    return schema


def _types(table: Table) -> dict[str, str]:
    return {c.name: sql_type_of(c.logical_type) for c in table.columns}


def _untraced(traced: QueryLineage, reads: tuple[str, ...]) -> dict[str, str]:
    untraced = dict(traced.untraced)
    unqualified = [r for r in reads if "." not in r]
    if unqualified:
        for column, sources in traced.columns.items():
            if not sources:
                untraced.setdefault(
                    column, f"it reads {', '.join(unqualified)}, a relation without a schema"
                )
    return untraced


def _refs(pairs: Iterable[tuple[str, str]]) -> tuple[ColumnRef, ...]:
    return tuple(ColumnRef(table, column) for table, column in pairs)


def _closure(start: str, step: Callable[[str], Iterable[str]]) -> list[str]:
    seen: list[str] = []
    frontier = list(step(start))
    while frontier:
        name = frontier.pop(0)
        if name not in seen and name != start:
            seen.append(name)
            frontier.extend(step(name))
    return seen
