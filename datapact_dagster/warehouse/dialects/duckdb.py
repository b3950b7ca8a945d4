"""DuckDB: a local file warehouse with one writer process, and DataPact's default."""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from datapact_dagster.warehouse.dialects.base import WarehouseDialect
from datapact_dagster.warehouse.dialects.duckdb_sandbox import expose_parquet, lock_down

# DuckDB's memory_limit while checks run (it defaults to 80% of RAM): hash aggregates over
# millions of distinct keys spill to DuckDB's temp directory instead of growing the process.
# At 10M rows this keeps the check step under 1 GiB, and it is faster than the default too
# (the same single-pass query: 3.8 s at 512MB, 4.5-6.7 s at 80% of RAM; fewer fresh pages).
CHECK_MEMORY_LIMIT = os.environ.get("DATAPACT_CHECK_MEMORY_LIMIT", "512MB")

_UNITS = {
    "": 1,
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
QUARANTINE_KEPT_SUFFIX = "__dp_q"
"""A quarantined table stays in its schema under its quarantine name plus this suffix."""
_limit_lock = threading.Lock()
_limit_depth: dict[int, tuple[int, str]] = {}  # id(engine) -> (active runs, limit to restore)
_limits_seen: weakref.WeakKeyDictionary[sa.Engine, _LimitSeen] = weakref.WeakKeyDictionary()

# Engines handed to GX's DuckDB data source, by connection string: DuckDB lets one process open
# a database file once, so GX must reuse the caller's engine rather than create its own.
SHARED_ENGINES: weakref.WeakValueDictionary[str, sa.Engine] = weakref.WeakValueDictionary()


def size_bytes(text: str) -> float:
    """'18.6 GiB' / '512MB' -> bytes; unparseable -> infinity."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        return float("inf")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


_RELATION_EXISTS = sa.text(
    "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database()"
    " AND schema_name = COALESCE(:schema, current_schema()) AND table_name = :table"
    " UNION ALL SELECT 1 FROM duckdb_views() WHERE database_name = current_database()"
    " AND schema_name = COALESCE(:schema, current_schema()) AND view_name = :table"
)
_VIEW_EXISTS = sa.text(
    "SELECT 1 FROM duckdb_views() WHERE database_name = current_database()"
    " AND schema_name = :schema AND view_name = :view"
)
_TABLE_INFO = sa.text("SELECT name, type FROM pragma_table_info(:relation)")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unquoted(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name


def _kept_beside(relation: str, name: str) -> str:
    """Where `move_table` keeps the table behind the view `name` (quoted, unqualified): in
    `relation`'s schema, named `<name>__dp_q`."""
    schema = relation.rpartition(".")[0]
    kept = _quoted(_unquoted(name) + QUARANTINE_KEPT_SUFFIX)
    return f"{schema}.{kept}" if schema else kept


def _literal(text: str) -> str:
    return text.replace("'", "''")


class DuckDBDialect(WarehouseDialect):
    backend = "duckdb"
    names = ("duckdb",)
    display_name = "DuckDB"
    sqlglot_dialect = "duckdb"
    asset_kind = "duckdb"
    single_writer = True
    index_published_keys = False  # an ART index costs more to keep than a hash anti-join saves
    max_name_bytes = 1024  # far beyond any name a contract uses
    native_regex = False  # GX has no regex for DuckDB; the suite uses regexp_matches
    # no progress bar on the terminal (DuckDB draws one for queries over 2 s)
    session_settings = ("SET enable_progress_bar = false",)
    outside_function_prefixes = (
        "duckdb_",
        "pragma_",
        "sniff_",
        "parquet_",
        "sqlite_",
        "postgres_",
        "mysql_",
        "iceberg_",
        "delta_",
    )
    gx_extensions = ("datapact_dagster.warehouse.dialects.duckdb_gx_metrics",)
    type_names = {
        "integer": frozenset(
            {"hugeint", "utinyint", "usmallint", "uinteger", "ubigint", "uhugeint"}
        ),
        "timestamp": frozenset({"timestamptz", "timestamp_s", "timestamp_ms", "timestamp_ns"}),
        "object": frozenset({"struct", "map"}),
    }

    def local_url(self, state_dir: Path) -> str:
        """The URL of the warehouse file DataPact keeps in its state folder by default."""
        return f"duckdb:///{state_dir / 'warehouse.duckdb'}"

    def prepare_url(self, url: URL) -> None:
        if url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)

    def move_table(self, relation: str, schema: str, name: str) -> list[str]:
        """DuckDB cannot move a table between schemas, and a copy takes as long as the load
        (7 s for 10M rows): the table is renamed in its own schema (`<name>__dp_q`, beside
        the kept versions) and `schema.name` is a view of it."""
        kept = _kept_beside(relation, name)
        return [
            self.rename_table(relation, kept.rpartition(".")[2]),
            f"CREATE VIEW {schema}.{name} AS SELECT * FROM {kept}",
        ]

    def drop_moved(self, connection: sa.Connection, relation: str, source: str) -> None:
        schema, _, name = relation.rpartition(".")
        # a quarantine made before moves became views is a table of its own
        is_view = connection.execute(
            _VIEW_EXISTS, {"schema": _unquoted(schema), "view": _unquoted(name)}
        ).first()
        kind = "VIEW" if is_view else "TABLE"
        connection.execute(sa.text(f"DROP {kind} IF EXISTS {relation}"))
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {_kept_beside(source, name)}"))

    def has_relation(self, connection: sa.Connection, table: str, schema: str | None) -> bool:
        # SQLAlchemy's has_table asks duckdb-engine, which unions every table and view (2 ms)
        found = connection.execute(_RELATION_EXISTS, {"table": table, "schema": schema})
        return found.first() is not None

    def column_types(
        self, connection: sa.Connection, table: str, schema: str | None
    ) -> dict[str, str]:
        # pragma_table_info reads one relation (0.5 ms); information_schema.columns lists every
        # column of the database first (3-6 ms, and a check step asks several times). It fails
        # on a missing relation, which would abort the transaction: existence is asked first.
        if not self.has_relation(connection, table, schema):
            return {}
        qualified = f"{_quoted(schema)}.{_quoted(table)}" if schema else _quoted(table)
        rows = connection.execute(_TABLE_INFO, {"relation": qualified})
        return {str(name): str(data_type) for name, data_type in rows}

    def check_limits(self, engine: sa.Engine) -> AbstractContextManager[None]:
        return self.bounded_memory(engine)

    @contextmanager
    def bounded_memory(self, engine: sa.Engine) -> Iterator[None]:
        """Lower memory_limit to CHECK_MEMORY_LIMIT (if higher) while the block runs."""
        key = id(engine)
        with _limit_lock:
            if key in _limit_depth:
                depth, previous = _limit_depth[key]
                _limit_depth[key] = (depth + 1, previous)
            else:
                with engine.connect() as connection:
                    self.configure_session(connection)
                    previous = _memory_limit(connection)
                    if size_bytes(CHECK_MEMORY_LIMIT) < size_bytes(previous):
                        connection.exec_driver_sql(
                            f"SET memory_limit = '{_literal(CHECK_MEMORY_LIMIT)}'"
                        )
                    else:
                        previous = ""
                _limit_depth[key] = (1, previous)
        try:
            yield
        finally:
            with _limit_lock:
                depth, previous = _limit_depth.pop(key)
                if depth > 1:
                    _limit_depth[key] = (depth - 1, previous)
                elif previous:
                    _restore_memory_limit(engine, previous)

    def fingerprint_query(self, relation: str, extra: Sequence[str] = ()) -> str:
        more = "".join(f", {aggregate}" for aggregate in extra)
        return (
            f"SELECT COUNT(*), CAST(COALESCE(SUM(hash(t)), 0) AS VARCHAR){more} "
            f"FROM {relation} AS t"
        )

    def guard_session(self, connection: sa.Connection) -> None:
        lock_down(connection)

    def expose_file(self, connection: sa.Connection, path: Path, relation: str) -> None:
        """A view reading the Parquet file directly (nothing is copied), inside the sandbox."""
        expose_parquet(connection, path, relation)

    def regex_match(self, expression: str, pattern: str) -> str:
        return f"regexp_matches({expression}, {pattern})"

    def gx_connection_string(self, engine: sa.Engine) -> str:
        """Registers `engine` as the one GX's DuckDB data source uses for its URL."""
        url = super().gx_connection_string(engine)
        SHARED_ENGINES[url] = engine
        return url

    def add_gx_datasource(self, context: Any, name: str, connection_string: str) -> Any:
        return context.data_sources.add_duckdb(name=name, connection_string=connection_string)


@dataclass(frozen=True)
class _LimitSeen:
    """An engine's memory limit found before a bounded check run, and whether RESET gives it
    back. A check run of a small increment is a few milliseconds of queries: reading the limit
    again after each RESET cost as much as one of them."""

    limit: str
    reset_restores: bool


def _memory_limit(connection: sa.Connection) -> str:
    return str(connection.exec_driver_sql("SELECT current_setting('memory_limit')").scalar())


def _restore_memory_limit(engine: sa.Engine, previous: str) -> None:
    # DuckDB reports the limit rounded ('18.7 GiB'): the default comes back exactly with RESET,
    # a custom limit as reported
    seen = _limits_seen.get(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("RESET memory_limit")
        if seen is None or seen.limit != previous:
            seen = _LimitSeen(previous, reset_restores=_memory_limit(connection) == previous)
            _limits_seen[engine] = seen
        if not seen.reset_restores:
            connection.exec_driver_sql(f"SET memory_limit = '{_literal(_midway(previous))}'")


def _midway(reported: str) -> str:
    """A limit DuckDB reports as `reported` again: it shows limits cut to one decimal
    ('2.7 GiB' for 3GB), and setting the figure shown ('2.7 GiB') reads back one step lower,
    so each restore would lower a custom limit by 0.1 unit; half a step above does not."""
    match = re.fullmatch(r"\s*([0-9]+)(?:\.([0-9]+))?\s*([A-Za-z]*)\s*", reported)
    if not match:
        return reported
    whole, decimals, unit = match.groups()
    places = len(decimals or "")
    value = float(f"{whole}.{decimals or 0}") + 0.5 * 10**-places
    return f"{value:.{places + 1}f} {unit}".strip()


DUCKDB = DuckDBDialect()
