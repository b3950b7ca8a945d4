"""The columns and types a table's SELECT produces, planned over empty tables.

The query is bound (not run) in a fresh in-memory database of DataPact's source SQL dialect
that holds only empty tables with the given columns, and that can read no file and load no
extension: nothing outside it is read or written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from datapact_dagster.warehouse.identifiers import quote_identifier, quote_relation


class QueryShapeError(ValueError):
    """The query cannot be planned over the given tables (unknown column, type error, ...)."""


def query_columns(
    sql: str, relations: Mapping[str, Sequence[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """(column, type) of each column `sql` produces when it reads `relations`
    (`schema.table` -> [(column, SQL type)])."""
    connection = duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    try:
        for relation, columns in relations.items():
            schema, _, table = relation.rpartition(".")
            if schema:
                connection.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
            spec = ", ".join(f"{quote_identifier(name)} {sql_type}" for name, sql_type in columns)
            target = quote_relation(schema, table)
            connection.execute(f"CREATE TABLE {target} ({spec})")
        try:
            planned = connection.sql(sql.strip().rstrip(";"))
        except duckdb.Error as exc:
            raise QueryShapeError(str(exc).splitlines()[0]) from exc
        if planned is None:
            raise QueryShapeError("the SQL is not a query")
        return [
            (name, str(kind)) for name, kind in zip(planned.columns, planned.types, strict=True)
        ]
    finally:
        connection.close()
