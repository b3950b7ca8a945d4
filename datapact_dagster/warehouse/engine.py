"""SQLAlchemy engines for the warehouse, one per URL per process."""

from __future__ import annotations

import atexit
import gc
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from datapact_dagster.warehouse.dialects import for_engine, for_url
from datapact_dagster.warehouse.urls import installed_driver_url


@cache
def warehouse_engine(url: str) -> sa.Engine:
    url = installed_driver_url(url)
    for_url(url).prepare_url(make_url(url))
    return sa.create_engine(url, future=True)


def sqlglot_dialect(engine: sa.Engine) -> str:
    """The sqlglot dialect name of an engine's warehouse."""
    return for_engine(engine).sqlglot_dialect


def quote(engine: sa.Engine, qualified: str) -> str:
    """Quote `schema.table` for this engine."""
    preparer = engine.dialect.identifier_preparer
    return ".".join(preparer.quote(part) for part in qualified.split("."))


@atexit.register
def dispose_warehouse_engines() -> None:
    """Close pooled DuckDB connections before the interpreter tears its modules down.

    Without this, DuckDB objects still referenced from connection pools are reported as leaks
    by its bindings at exit.
    """
    for engine in _engines():
        engine.dispose()
    warehouse_engine.cache_clear()
    gc.collect()


def _engines() -> list[sa.Engine]:
    return [obj for obj in gc.get_objects() if isinstance(obj, sa.Engine)]
