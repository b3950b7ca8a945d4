"""What the catalog shows of each contract, table and column: plain values the pages lay out."""

from __future__ import annotations

from dataclasses import dataclass

from datapact_dagster.contract.model import SupportChannel

from .verdicts import CheckVerdict


@dataclass(frozen=True)
class RuleView:
    key: str
    kind: str
    severity: str
    description: str
    verdict: CheckVerdict


@dataclass(frozen=True)
class ColumnView:
    name: str
    anchor: str
    logical_type: str
    physical_type: str | None
    required: bool
    unique: bool
    primary_key: bool
    foreign_key: tuple[str, ...]
    """`silver.customers.customer_id` for each relationship from this column."""
    pii: bool
    classification: str | None
    description: str | None
    tags: tuple[str, ...]
    enum_values: tuple[str, ...]
    constraints: tuple[str, ...]
    rules: tuple[RuleView, ...]
    computed_from: tuple[str, ...]
    untraced: str | None


@dataclass(frozen=True)
class RelationshipView:
    from_columns: tuple[str, ...]
    to_table: str
    to_href: str | None
    to_columns: tuple[str, ...]
    cardinality: str


@dataclass(frozen=True)
class ConsumerView:
    team: str
    contact: str | None
    use_case: str | None
    columns: tuple[str, ...]
    """Its declared columns in this table; empty: it declared none and reads the whole table
    (a consumer whose declared columns are all in another table of the contract is not listed).
    """


@dataclass(frozen=True)
class TableView:
    contract_id: str
    name: str
    physical_name: str
    layer: str
    anchor: str
    href: str
    description: str | None
    tags: tuple[str, ...]
    columns: tuple[ColumnView, ...]
    table_rules: tuple[RuleView, ...]
    relationships: tuple[RelationshipView, ...]
    freshness: str | None
    consumers: tuple[ConsumerView, ...]
    reads: tuple[str, ...]
    read_by: tuple[str, ...]
    references: tuple[str, ...]
    row_dependencies: tuple[str, ...]
    upstream_all: tuple[str, ...]
    downstream_all: tuple[str, ...]

    @property
    def pii_columns(self) -> tuple[ColumnView, ...]:
        return tuple(c for c in self.columns if c.pii)


@dataclass(frozen=True)
class ContractView:
    id: str
    name: str | None
    version: str
    status: str
    api_version: str
    domain: str | None
    description: str | None
    team: str | None
    owners: tuple[str, ...]
    support: tuple[SupportChannel, ...]
    schedule: str | None
    check_schedule: str | None
    source: str
    content_hash: str
    page: str
    tables: tuple[TableView, ...]

    @property
    def title(self) -> str:
        return self.name or self.id
