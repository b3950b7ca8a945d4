"""What the warehouse's information_schema says about a relation's columns."""

from __future__ import annotations

import sqlalchemy as sa

_COLUMNS_QUERY = sa.text(
    "SELECT column_name, data_type FROM information_schema.columns"
    " WHERE table_name = :table AND table_schema = COALESCE(:schema, current_schema())"
    " ORDER BY ordinal_position"
)


def columns_of(connection: sa.Connection, table: str, schema: str | None) -> dict[str, str]:
    """Column name -> type name of `schema.table` (the current schema when None), in order."""
    rows = connection.execute(_COLUMNS_QUERY, {"table": table, "schema": schema})
    return {str(name): str(data_type) for name, data_type in rows}


def relation_columns(engine: sa.Engine, relation: str) -> dict[str, str]:
    """Column name -> database type name of `relation` (`schema.table`); empty if it is absent."""
    schema, _, table = relation.rpartition(".")
    with engine.connect() as connection:
        return columns_of(connection, table, schema or None)
