"""What the warehouse's catalog says about a relation's columns."""

from __future__ import annotations

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine


def columns_of(connection: sa.Connection, table: str, schema: str | None) -> dict[str, str]:
    """Column name -> type name of `schema.table` (the current schema when None), in order."""
    return for_engine(connection.engine).column_types(connection, table, schema)


def relation_columns(engine: sa.Engine, relation: str) -> dict[str, str]:
    """Column name -> database type name of `relation` (`schema.table`); empty if it is absent."""
    schema, _, table = relation.rpartition(".")
    with engine.connect() as connection:
        return columns_of(connection, table, schema or None)
