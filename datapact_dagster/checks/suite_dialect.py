"""What a GX suite needs to know about the warehouse that runs it (the one dialect switch)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from datapact_dagster.warehouse.dialects import UnsupportedWarehouse, for_name


@dataclass(frozen=True)
class SuiteDialect:
    name: str
    """The dialect name the suite was asked for, recorded in the suite's meta."""
    native_regex: bool
    """GX's regex expectation runs there; else a regex rule becomes an unexpected-rows query."""
    sqlglot_dialect: str
    """sqlglot dialect that sql quality rules are transpiled to."""
    regex_match: Callable[[str, str], str] | None = None
    """The warehouse's SQL condition for a regex search, where GX has no regex expectation."""


def suite_dialect(name: str) -> SuiteDialect:
    """The suite settings for the warehouse any of whose names (SQLAlchemy, sqlglot) is `name`."""
    try:
        warehouse = for_name(name)
    except UnsupportedWarehouse:  # not a DataPact warehouse: GX's own regex, SQL as `name`
        return SuiteDialect(name=name, native_regex=True, sqlglot_dialect=name)
    return SuiteDialect(
        name=name,
        native_regex=warehouse.native_regex,
        sqlglot_dialect=warehouse.sqlglot_dialect,
        regex_match=None if warehouse.native_regex else warehouse.regex_match,
    )
