"""What the warehouse's catalog says about a relation's columns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine

_Key = tuple[int, str | None, str]
_remembered: ContextVar[dict[_Key, dict[str, str]] | None] = ContextVar(
    "datapact_columns_remembered", default=None
)


@contextmanager
def columns_remembered() -> Iterator[None]:
    """Within the block (in this thread), each relation's columns are read from the catalog
    once. For a check run: nothing in it changes a relation, and the check step and GX each ask
    (a few milliseconds a time, as much as a small increment's query)."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def columns_of(connection: sa.Connection, table: str, schema: str | None) -> dict[str, str]:
    """Column name -> type name of `schema.table` (the current schema when None), in order."""
    return _remembering(
        connection.engine,
        table,
        schema,
        lambda: for_engine(connection.engine).column_types(connection, table, schema),
    )


def engine_columns(engine: sa.Engine, table: str, schema: str | None) -> dict[str, str]:
    """`columns_of` on a connection of its own, taken only when the columns are not known."""

    def read() -> dict[str, str]:
        with engine.connect() as connection:
            return for_engine(engine).column_types(connection, table, schema)

    return _remembering(engine, table, schema, read)


def relation_columns(engine: sa.Engine, relation: str) -> dict[str, str]:
    """Column name -> database type name of `relation` (`schema.table`); empty if it is absent."""
    schema, _, table = relation.rpartition(".")
    return engine_columns(engine, table, schema or None)


def _remembering(
    engine: sa.Engine, table: str, schema: str | None, read: Callable[[], dict[str, str]]
) -> dict[str, str]:
    memo = _remembered.get()
    if memo is None:
        return read()
    key = (id(engine), schema, table)
    if key not in memo:
        memo[key] = read()
    return dict(memo[key])
