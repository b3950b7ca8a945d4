"""The index the catalog's search page filters in the browser: one entry per table and per column,
each with the words a search matches and the facets a filter narrows by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .views import ContractView, TableView


@dataclass(frozen=True)
class Facets:
    layers: tuple[str, ...]
    domains: tuple[str, ...]
    statuses: tuple[str, ...]


def search_index(contracts: tuple[ContractView, ...]) -> dict[str, Any]:
    tables: list[dict[str, Any]] = []
    columns: list[dict[str, Any]] = []
    for contract in contracts:
        for table in contract.tables:
            tables.append(_table_entry(contract, table))
            columns += _column_entries(contract, table)
    return {"tables": tables, "columns": columns}


def facets(contracts: tuple[ContractView, ...]) -> Facets:
    layers = {t.layer for c in contracts for t in c.tables}
    return Facets(
        layers=tuple(layer for layer in ("bronze", "silver", "gold") if layer in layers),
        domains=tuple(sorted({c.domain for c in contracts if c.domain})),
        statuses=tuple(sorted({c.status for c in contracts})),
    )


def _facets_of(contract: ContractView, table: TableView) -> dict[str, Any]:
    return {
        "layer": table.layer,
        "domain": contract.domain or "",
        "status": contract.status,
    }


def _table_entry(contract: ContractView, table: TableView) -> dict[str, Any]:
    words = [
        contract.id,
        contract.title,
        contract.domain,
        contract.description,
        contract.team,
        *contract.owners,
        table.name,
        table.physical_name,
        table.description,
        *table.tags,
        *(c.team for c in table.consumers),
        *(c.name for c in table.columns),
    ]
    return {
        "table": table.physical_name,
        "contract": contract.id,
        "title": contract.title,
        "version": contract.version,
        "href": table.href,
        "description": table.description or contract.description or "",
        "owners": list(contract.owners),
        "columns": len(table.columns),
        "pii": bool(table.pii_columns),
        "text": _text(words),
        **_facets_of(contract, table),
    }


def _column_entries(contract: ContractView, table: TableView) -> list[dict[str, Any]]:
    return [
        {
            "column": column.name,
            "table": table.physical_name,
            "contract": contract.id,
            "href": f"{contract.page}#{column.anchor}",
            "type": column.logical_type,
            "description": column.description or "",
            "classification": column.classification or "",
            "pii": column.pii,
            "key": column.primary_key,
            "text": _text(
                [
                    column.name,
                    table.physical_name,
                    column.description,
                    column.classification,
                    column.logical_type,
                    *column.tags,
                ]
            ),
            **_facets_of(contract, table),
        }
        for column in table.columns
    ]


def _text(words: list[str | None]) -> str:
    return " ".join(w for w in words if w).lower()
