"""Large DuckDB tables published as the Parquet file they were loaded from.

A table whose SQL selects every column of one landing file, unchanged, holds exactly that
file's rows. Loading 10M rows into DuckDB's own storage takes longer than checking them
(11 s against 4 s on two cores); copying the file takes 0.1 s. So when such a file is large
(`landing.file_tables_over_rows`), the staged relation is a view over a copy of the file that
the database owns (`<database>.files/<table>__<id>.parquet`, beside the database file).
Publishing, quarantining, keeping versions and rolling back rename that view as they rename a
table, and queries read the file as they would read the table.

A copy, never the landing file itself: the next export replaces the landing file, and a
published version must keep its rows. The copy is made under a temporary name and renamed, so
a view never reads a half-written file. A file no view reads any more (a dropped version, a
purged quarantine, a discarded staging) is deleted by `delete_unread_files` after the
transaction that dropped its view commits; until then a rollback can still bring it back.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlglot import exp

from datapact_dagster.warehouse.dialects.duckdb_sandbox import (
    owned_files_dir,
    parquet_view,
    reads_file,
)

_VIEW_TEXTS = sa.text("SELECT sql FROM duckdb_views() WHERE NOT internal")
_VIEW = sa.text(
    "SELECT 1 FROM duckdb_views() WHERE database_name = current_database()"
    " AND schema_name = COALESCE(:schema, current_schema()) AND view_name = :name"
)


def _file_prefix(owner: str) -> str:
    """The start of every owned file's name of table `owner` (`schema.table`, unquoted)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", owner) + "__"


def stage_file_copy(connection: sa.Connection, source: Path, relation: str, owner: str) -> bool:
    """Make `relation` (quoted) a view over the database's own copy of the Parquet file
    `source` when the database is a file; False (nothing done) for an in-memory one."""
    folder = owned_files_dir(connection.engine.url.database)
    if folder is None:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_file_prefix(owner)}{uuid.uuid4().hex}.parquet"
    partial = target.with_suffix(".partial")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    connection.execute(sa.text(parquet_view(relation, target)))
    return True


def load_into_table(connection: sa.Connection, relation: str) -> None:
    """Turn `relation` (quoted, maybe qualified), if it is a view, into a table of its rows:
    rows are then inserted and deleted in place (a partitioned table's publish)."""
    table = exp.to_table(relation, dialect="duckdb")
    if connection.execute(_VIEW, {"schema": table.db or None, "name": table.name}).first() is None:
        return
    loading = exp.to_identifier(f"{table.name}__dp_loading").sql(dialect="duckdb")
    schema = exp.to_identifier(table.db).sql(dialect="duckdb") if table.db else ""
    qualified = f"{schema}.{loading}" if schema else loading
    connection.execute(sa.text(f"CREATE TABLE {qualified} AS SELECT * FROM {relation}"))
    connection.execute(sa.text(f"DROP VIEW {relation}"))
    name = exp.to_identifier(table.name).sql(dialect="duckdb")
    connection.execute(sa.text(f"ALTER TABLE {qualified} RENAME TO {name}"))


def delete_unread_files(engine: sa.Engine, owner: str | None = None) -> list[Path]:
    """Delete the owned files of table `owner` (of every table when None) that no view of the
    database reads; returns them. Call it after the transaction that dropped views commits."""
    folder = owned_files_dir(engine.url.database)
    if folder is None or not folder.is_dir():
        return []
    prefix = "" if owner is None else _file_prefix(owner)
    candidates = [
        path
        for path in folder.iterdir()
        if path.name.startswith(prefix) and path.suffix in (".parquet", ".partial")
    ]
    if not candidates:
        return []
    with engine.connect() as connection:
        read = "\n".join(str(text) for (text,) in connection.execute(_VIEW_TEXTS))
    unread = [path for path in candidates if not reads_file(read, path)]
    for path in unread:
        path.unlink(missing_ok=True)
    return unread
