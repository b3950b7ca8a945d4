"""The supported warehouses, one WarehouseDialect each, and how to find the one in use."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from datapact_dagster.warehouse.dialects.base import WarehouseDialect
from datapact_dagster.warehouse.dialects.duckdb import DUCKDB
from datapact_dagster.warehouse.dialects.postgres import POSTGRES
from datapact_dagster.warehouse.sql_parse import SOURCE_DIALECT
from datapact_dagster.warehouse.urls import installed_driver_url

DIALECTS: tuple[WarehouseDialect, ...] = (DUCKDB, POSTGRES)
DEFAULT_DIALECT = DUCKDB

__all__ = [
    "DEFAULT_DIALECT",
    "DIALECTS",
    "UnsupportedWarehouse",
    "WarehouseDialect",
    "default_warehouse_url",
    "dialect_names",
    "for_backend",
    "for_engine",
    "for_name",
    "for_url",
    "lock_transaction",
    "outside_function_prefixes",
    "source_dialect",
]


class UnsupportedWarehouse(ValueError):
    pass


def _supported() -> str:
    return ", ".join(d.display_name for d in DIALECTS)


def for_backend(backend: str) -> WarehouseDialect | None:
    """The dialect SQLAlchemy calls `backend`, or None when DataPact has none for it."""
    return next((d for d in DIALECTS if d.backend == backend), None)


def for_engine(engine: sa.Engine) -> WarehouseDialect:
    found = for_backend(engine.dialect.name)
    if found is None:
        raise UnsupportedWarehouse(
            f"no warehouse support for {engine.dialect.name!r} (supported: {_supported()})"
        )
    return found


def for_url(url: str) -> WarehouseDialect:
    """The dialect of a SQLAlchemy URL (any driver or spelling: `postgres://...`)."""
    backend = make_url(installed_driver_url(url)).get_backend_name()
    found = for_backend(backend)
    if found is None:
        raise UnsupportedWarehouse(
            f"no warehouse support for {backend!r} URLs (supported: {_supported()})"
        )
    return found


def for_name(name: str) -> WarehouseDialect:
    """The dialect any of its names selects: its SQLAlchemy, sqlglot or command-line name."""
    for dialect in DIALECTS:
        if name in dialect.names:
            return dialect
    raise UnsupportedWarehouse(
        f"no warehouse dialect {name!r} (known: {', '.join(dialect_names())})"
    )


def dialect_names() -> list[str]:
    """Every name `for_name` accepts, sorted."""
    return sorted(name for dialect in DIALECTS for name in dialect.names)


def outside_function_prefixes() -> tuple[str, ...]:
    """Every warehouse's prefixes of functions that reach outside the data."""
    return tuple(p for dialect in DIALECTS for p in dialect.outside_function_prefixes)


def max_name_bytes() -> int:
    """The longest name every warehouse keeps whole (a longer one is cut or refused by some)."""
    return min(dialect.max_name_bytes for dialect in DIALECTS)


def source_dialect() -> WarehouseDialect:
    """The dialect DataPact's table SQL is written in (transpiled for the others)."""
    return for_name(SOURCE_DIALECT)


def default_warehouse_url(state_dir: Path) -> str:
    """The warehouse DataPact uses when none is configured: a file in its state folder."""
    return DEFAULT_DIALECT.local_url(state_dir)


def lock_transaction(connection: sa.Connection, key: int) -> bool:
    """Take a lock on `key` until the connection's transaction ends, on any SQLAlchemy database
    DataPact knows such a lock for (a warehouse or not); False where it knows none."""
    dialect = for_backend(connection.dialect.name)
    return dialect.lock_transaction(connection, key) if dialect else False
