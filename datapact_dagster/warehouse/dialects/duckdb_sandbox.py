"""DuckDB's file sandbox: what SQL run in a DataPact warehouse may read, and landing exposure
that works inside it.

DuckDB reads any host file by default (`read_csv('/etc/passwd')`, `read_text`, `glob`, `COPY`,
`ATTACH`) and installs and loads extensions on demand. Turning `enable_external_access` off
stops all of that for the whole database instance, for good: DuckDB refuses to turn it back on
while the database is open, and refuses any change to `allowed_paths` once it is off. The
paths allowed must therefore be given at that moment; they are the landing files DataPact
exposes (`lock_down(..., readable=...)`), and the folder of Parquet files the database's own
tables are kept in (`owned_files_dir`, see duckdb_files.py), and nothing else. A landing file
that appears after the lock (not in `allowed_paths`) is copied in through Arrow instead of being
read in place.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Collection
from pathlib import Path

import sqlalchemy as sa
from sqlglot import exp

_KIND = sa.text(
    "SELECT table_type FROM information_schema.tables "
    "WHERE table_schema = COALESCE(:schema, current_schema()) AND table_name = :name"
)
_lock = threading.Lock()
_readable_at_lock: dict[str, tuple[str, ...]] = {}
"""Database file -> the paths allowed when this process first locked it: a database closed
and opened again (another process validated it meanwhile) is locked allowing the same."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_view(relation: str, path: Path) -> str:
    """The statement making `relation` (quoted) a view reading the Parquet file at `path`."""
    return f"CREATE VIEW {relation} AS SELECT * FROM read_parquet({_literal(str(path))})"


def reads_file(view_sql: str, path: Path) -> bool:
    """Whether a view's SQL (as DuckDB keeps it) names the file at `path`."""
    return _literal(str(path)) in view_sql


def owned_files_dir(database: str | None) -> Path | None:
    """The folder beside a database file where its tables published as Parquet files live;
    None for an in-memory database."""
    if database in (None, "", ":memory:"):
        return None
    path = Path(database)
    return path.parent / f"{path.name}.files"


def lock_down(connection: sa.Connection, readable: Collection[Path] = ()) -> frozenset[str]:
    """Turn external access, extension installation and autoloading off for the database of
    `connection`, allowing only the files in `readable` (by default those allowed when this
    process last locked the same file), unless that was done already (by any connection of
    this process). Returns the paths the database may read."""
    database = connection.engine.url.database
    if database in ("", ":memory:"):
        database = None  # each in-memory database is new: nothing of another one applies
    with _lock:
        if connection.exec_driver_sql("SELECT current_setting('enable_external_access')").scalar():
            connection.exec_driver_sql("SET GLOBAL autoinstall_known_extensions = false")
            connection.exec_driver_sql("SET GLOBAL autoload_known_extensions = false")
            paths = sorted(str(path) for path in readable)
            if database is not None:
                paths = paths or list(_readable_at_lock.get(database, ()))
                _readable_at_lock[database] = tuple(paths)
            if paths:
                listed = ", ".join(_literal(path) for path in paths)
                connection.exec_driver_sql(f"SET GLOBAL allowed_paths = [{listed}]")
            owned = owned_files_dir(database)
            if owned is not None:
                folder = _literal(f"{owned}/")  # a prefix: the slash keeps out `<name>.files2`
                connection.exec_driver_sql(f"SET GLOBAL allowed_directories = [{folder}]")
            connection.exec_driver_sql("SET GLOBAL enable_external_access = false")
        allowed = connection.exec_driver_sql("SELECT current_setting('allowed_paths')").scalar()
    return frozenset(str(path) for path in allowed or ())


def expose_parquet(connection: sa.Connection, path: Path, relation: str) -> None:
    """Make the Parquet file at `path` readable as `relation` (quoted) under the sandbox.

    The first exposure locks the database down allowing every Parquet file in the landing
    folder, which then stays readable in place through a view (nothing copied). A file not
    allowed (it appeared after the lock) is streamed in through Arrow into a table.
    """
    allowed = lock_down(connection, readable=sorted(path.parent.glob("*.parquet")))
    drop_relation(connection, relation)
    if str(path) in allowed:
        connection.execute(sa.text(parquet_view(relation, path)))
    else:
        _copy_parquet(connection, path, relation)


def _copy_parquet(connection: sa.Connection, path: Path, relation: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    batches = pa.RecordBatchReader.from_batches(parquet.schema_arrow, parquet.iter_batches())
    raw = connection.connection.dbapi_connection
    assert raw is not None
    name = f"datapact_landing_{uuid.uuid4().hex}"
    raw.register(name, batches)  # type: ignore[attr-defined]
    try:
        connection.execute(sa.text(f"CREATE TABLE {relation} AS SELECT * FROM {name}"))
    finally:
        raw.unregister(name)  # type: ignore[attr-defined]


def drop_relation(connection: sa.Connection, relation: str) -> None:
    """Drop `relation` (quoted, maybe qualified) whether a view (read in place) or a table
    (copied); nothing if absent."""
    table = exp.to_table(relation, dialect="duckdb")
    kind = connection.execute(_KIND, {"schema": table.db or None, "name": table.name}).scalar()
    if kind is not None:
        connection.execute(sa.text(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {relation}"))
