"""The registry's listings: the project's tables or columns, narrowed by filters.

Filters of different kinds combine with AND; the values of one kind (`--tag a --tag b`) match
any of them. Tags are inherited downwards: a contract's tags apply to its tables and columns, a
table's tags to its columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.contract.model import LAYER_ORDER, Column, Contract, ContractSet, Table


@dataclass(frozen=True)
class RegistryFilter:
    """What `datapact list` keeps; an empty tuple (or pii False) keeps everything."""

    domains: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pii: bool = False

    def describe(self) -> str:
        """The filters as they are written on the command line."""
        words = [
            *(f"--domain {v}" for v in self.domains),
            *(f"--owner {v}" for v in self.owners),
            *(f"--status {v}" for v in self.statuses),
            *(f"--tag {v}" for v in self.tags),
            *(["--pii"] if self.pii else []),
        ]
        return " ".join(words)

    def keeps_contract(self, contract: Contract) -> bool:
        owners = {o.lower() for o in (*contract.owners, contract.team or "")}
        return (
            _any_of(self.domains, {(contract.domain or "").lower()})
            and _any_of(self.owners, owners)
            and _any_of(self.statuses, {contract.status})
        )

    def keeps_table(self, contract: Contract, table: Table) -> bool:
        """The contract passes, the table has a PII column when asked for, and it, its contract
        or one of its columns carries one of the tags."""
        column_tags = (tag for column in table.columns for tag in column.tags)
        return (
            self.keeps_contract(contract)
            and (bool(table.pii_columns) or not self.pii)
            and _any_of(self.tags, _tags(contract.tags, table.tags, column_tags))
        )

    def keeps_column(self, contract: Contract, table: Table, column: Column) -> bool:
        """The column's own PII mark and tags (with its table's and contract's) match."""
        if self.pii and not column.pii:
            return False
        return _any_of(self.tags, _tags(contract.tags, table.tags, column.tags))


@dataclass(frozen=True)
class TableListing:
    id: str
    version: str
    status: str
    domain: str | None
    table: str
    layer: str
    owner: str
    tags: tuple[str, ...]
    pii_columns: tuple[str, ...]
    rules: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "tags": list(self.tags), "pii_columns": list(self.pii_columns)}


@dataclass(frozen=True)
class ColumnListing:
    contract: str
    table: str
    column: str
    type: str
    required: bool
    unique: bool
    primary_key: bool
    references: tuple[str, ...]
    pii: bool
    classification: str | None
    tags: tuple[str, ...]
    description: str | None

    @property
    def key(self) -> str:
        """'PK', 'FK <table>.<column>' or both, as one cell."""
        parts = (["PK"] if self.primary_key else []) + [f"FK {r}" for r in self.references]
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "references": list(self.references), "tags": list(self.tags)}


def ordered_tables(contracts: ContractSet) -> list[tuple[Contract, Table]]:
    """Bronze, silver, gold, then by physical name: the order every listing uses."""
    return sorted(contracts.tables, key=lambda ct: (LAYER_ORDER[ct[1].layer], ct[1].physical_name))


def list_tables(contracts: ContractSet, keep: RegistryFilter) -> list[TableListing]:
    return [
        TableListing(
            id=contract.id,
            version=contract.version,
            status=contract.status,
            domain=contract.domain,
            table=table.physical_name,
            layer=table.layer.value,
            owner=", ".join(contract.owners),
            tags=_tags(contract.tags, table.tags),
            pii_columns=table.pii_columns,
            rules=len(compile_table_checks(contract, table)),
        )
        for contract, table in ordered_tables(contracts)
        if keep.keeps_table(contract, table)
    ]


def list_columns(contracts: ContractSet, keep: RegistryFilter) -> list[ColumnListing]:
    return [
        ColumnListing(
            contract=contract.id,
            table=table.physical_name,
            column=column.name,
            type=column.logical_type,
            required=column.required,
            unique=column.unique,
            primary_key=column.primary_key,
            references=_references(table, column),
            pii=column.pii,
            classification=column.classification,
            tags=column.tags,
            description=column.description,
        )
        for contract, table in ordered_tables(contracts)
        if keep.keeps_contract(contract)
        for column in table.columns
        if keep.keeps_column(contract, table, column)
    ]


def _references(table: Table, column: Column) -> tuple[str, ...]:
    """The columns this one points at through the table's relationships."""
    return tuple(
        f"{rel.to_table}.{to_column}"
        for rel in table.relationships
        for from_column, to_column in zip(rel.from_columns, rel.to_columns, strict=False)
        if from_column == column.name
    )


def _tags(*groups: Iterable[str]) -> tuple[str, ...]:
    """The tags of the groups, once each, in the order first seen."""
    return tuple(dict.fromkeys(tag for group in groups for tag in group))


def _any_of(wanted: tuple[str, ...], present: Iterable[str]) -> bool:
    """No wish, or one of the wished values present (case-insensitive)."""
    if not wanted:
        return True
    have = {p.lower() for p in present}
    return any(w.lower() in have for w in wanted)
