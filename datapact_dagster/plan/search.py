"""Searching the registry: every contract, table and column as an entry of searchable fields.

`search_index` is the one list of entries; `datapact search` ranks it against a term, and
`search_entries` gives the same entries as plain dicts for a client-side search (a catalog page).

A hit is ranked by the best field it matched: a name equal to the term, then a name holding it,
then a label (tag, classification, domain, owner, consumer team) equal to it, one holding it,
then a description holding it. Ties keep the registry's order (contracts, tables, columns;
bronze to gold; columns as declared).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

from datapact_dagster.contract.model import Contract, ContractSet, Table
from datapact_dagster.plan.registry import ordered_tables

Kind = Literal["contract", "table", "column"]
KINDS: tuple[Kind, ...] = ("contract", "table", "column")
SNIPPET_WIDTH = 80


class Weight(IntEnum):
    """How much a match in a field counts; lower ranks first."""

    name = 0
    label = 2
    text = 4


@dataclass(frozen=True)
class SearchField:
    field: str
    value: str
    weight: Weight

    def rank(self, term: str) -> int | None:
        """This field's rank for a lower-case term, or None when it does not hold it."""
        value = self.value.lower()
        if term not in value:
            return None
        return int(self.weight) if value == term or self.weight is Weight.text else self.weight + 1


@dataclass(frozen=True)
class SearchEntry:
    kind: Kind
    contract: str
    table: str | None
    column: str | None
    fields: tuple[SearchField, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "contract": self.contract,
            "table": self.table,
            "column": self.column,
            "fields": [{"field": f.field, "value": f.value} for f in self.fields],
        }


@dataclass(frozen=True)
class SearchHit:
    kind: Kind
    contract: str
    table: str | None
    column: str | None
    field: str
    snippet: str
    rank: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "contract": self.contract,
            "table": self.table,
            "column": self.column,
            "field": self.field,
            "snippet": self.snippet,
        }


def search_index(contracts: ContractSet) -> list[SearchEntry]:
    """Every contract, then every table and its columns, bronze to gold."""
    entries = [_contract_entry(c) for c in sorted(contracts.contracts, key=lambda c: c.id)]
    for contract, table in ordered_tables(contracts):
        entries.append(_table_entry(contract, table))
        entries += [
            SearchEntry(
                kind="column",
                contract=contract.id,
                table=table.physical_name,
                column=column.name,
                fields=_fields(
                    ("name", Weight.name, [column.name]),
                    ("tag", Weight.label, column.tags),
                    ("classification", Weight.label, [column.classification]),
                    ("description", Weight.text, [column.description]),
                ),
            )
            for column in table.columns
        ]
    return entries


def search_entries(contracts: ContractSet) -> list[dict[str, Any]]:
    """The search index as plain dicts (JSON-ready)."""
    return [entry.as_dict() for entry in search_index(contracts)]


def search(contracts: ContractSet, term: str, kinds: tuple[Kind, ...] = KINDS) -> list[SearchHit]:
    """Entries of the given kinds holding the term (case-insensitive), best first."""
    return rank_entries(search_index(contracts), term, kinds)


def rank_entries(
    entries: list[SearchEntry], term: str, kinds: tuple[Kind, ...] = KINDS
) -> list[SearchHit]:
    wanted = term.strip().lower()
    hits = []
    for entry in entries:
        if entry.kind not in kinds:
            continue
        ranked = [(rank, f) for f in entry.fields if (rank := f.rank(wanted)) is not None]
        if not ranked:
            continue
        rank, best = min(ranked, key=lambda rf: rf[0])
        hits.append(
            SearchHit(
                kind=entry.kind,
                contract=entry.contract,
                table=entry.table,
                column=entry.column,
                field=best.field,
                snippet=snippet(best.value, wanted),
                rank=rank,
            )
        )
    # sorted() is stable, so equal ranks keep the index's order.
    return sorted(hits, key=lambda hit: hit.rank)


def snippet(value: str, term: str, width: int = SNIPPET_WIDTH) -> str:
    """One line of `value` around the first place it holds `term`, cut to about `width`."""
    line = " ".join(value.split())
    if len(line) <= width:
        return line
    at = line.lower().find(term.lower())
    start = max(0, min(at - (width - len(term)) // 2, len(line) - width))
    end = start + width
    return ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")


def _contract_entry(contract: Contract) -> SearchEntry:
    return SearchEntry(
        kind="contract",
        contract=contract.id,
        table=None,
        column=None,
        fields=_fields(
            ("id", Weight.name, [contract.id]),
            ("name", Weight.name, [contract.name]),
            ("domain", Weight.label, [contract.domain]),
            ("owner", Weight.label, [*contract.owners, contract.team]),
            ("tag", Weight.label, contract.tags),
            ("consumer", Weight.label, [c.team for c in contract.consumers]),
            ("description", Weight.text, [contract.description]),
            ("consumer use case", Weight.text, [c.use_case for c in contract.consumers]),
        ),
    )


def _table_entry(contract: Contract, table: Table) -> SearchEntry:
    return SearchEntry(
        kind="table",
        contract=contract.id,
        table=table.physical_name,
        column=None,
        fields=_fields(
            ("name", Weight.name, [table.name, table.physical_name]),
            ("tag", Weight.label, table.tags),
            ("description", Weight.text, [table.description]),
        ),
    )


def _fields(*groups: tuple[str, Weight, Any]) -> tuple[SearchField, ...]:
    """The non-empty values of each (field, weight, values) group, once each."""
    return tuple(
        SearchField(field, str(value), weight)
        for field, weight, values in groups
        for value in dict.fromkeys(v for v in values if v)
    )
