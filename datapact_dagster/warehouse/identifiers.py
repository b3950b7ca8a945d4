"""SQL identifiers as every warehouse reads them: always quoted (standard SQL's double quotes).

Quoting only the names a SQL dialect's reserved-word list holds is not enough: SQLAlchemy's list
for PostgreSQL lacks words DuckDB reserves (`at`), and a name quoted needlessly means the same.
"""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_relation(schema: str | None, name: str) -> str:
    """`"schema"."name"`, or `"name"` without a schema."""
    return (
        f"{quote_identifier(schema)}.{quote_identifier(name)}" if schema else quote_identifier(name)
    )
