"""What a GX suite needs to know about the warehouse that runs it (the one dialect switch)."""

from __future__ import annotations

from dataclasses import dataclass

from datapact_dagster.warehouse.dialects import for_backend


@dataclass(frozen=True)
class SuiteDialect:
    name: str
    """SQLAlchemy dialect name of the warehouse, recorded in the suite's meta."""
    native_regex: bool
    """GX's regex expectation runs there; else a regex rule becomes an unexpected-rows query."""
    sqlglot_dialect: str
    """sqlglot dialect that sql quality rules are transpiled to."""


def suite_dialect(name: str) -> SuiteDialect:
    """The suite settings for the warehouse whose SQLAlchemy dialect is `name`."""
    warehouse = for_backend(name)
    if warehouse is None:  # no DataPact warehouse: GX's own regex, sql rules transpiled to `name`
        return SuiteDialect(name=name, native_regex=True, sqlglot_dialect=name)
    return SuiteDialect(
        name=name, native_regex=warehouse.native_regex, sqlglot_dialect=warehouse.sqlglot_dialect
    )
